// What can be checked of the deployment here: compose.yaml names only the settings the README
// documents and the gateway reads, the image runs as a user, and the service refuses to start
// without the company key, naming the variable.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { SETTING_NAMES } from "../../src/gateway/config";

const readme = readFileSync("README.md", "utf8");
const gatewaySection = readme.slice(readme.indexOf("## Team gateway"));

it("documents every setting the gateway reads", () => {
  for (const name of SETTING_NAMES) expect(gatewaySection).toContain(`\`${name}\``);
});

it("names in compose.yaml only settings the README documents", () => {
  const compose = readFileSync("compose.yaml", "utf8");
  const environment = compose.slice(compose.indexOf("environment:"), compose.indexOf("ports:"));
  const names = [...environment.matchAll(/^\s+([A-Z_]+):/gm)].map((match) => match[1]);
  expect(names.length).toBeGreaterThan(3);
  for (const name of names) {
    expect(SETTING_NAMES).toContain(name);
    expect(gatewaySection).toContain(`\`${name}\``);
  }
  expect(compose).toMatch(/replicas: 2/);
  expect(compose).toMatch(/noeviction/);
});

it("runs the image as a user, with production dependencies only", () => {
  const dockerfile = readFileSync("Dockerfile", "utf8");
  expect(dockerfile).toMatch(/^FROM node:\d+-slim$/m);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/npm ci --omit=dev/);
});

it("refuses to start without GEOAPIFY_API_KEY, naming it", () => {
  const env = { ...process.env };
  delete env.GEOAPIFY_API_KEY;
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/gateway/main.ts"], {
    env,
    encoding: "utf8",
    timeout: 20_000,
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain("GEOAPIFY_API_KEY");
});
