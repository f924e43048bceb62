// What `npm run build` leaves in dist/: a complete, deployable add-in whose manifest points at
// the production host only, and whose bundle carries none of the dev tools.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { generateCustomFunctionsMetadata } from "custom-functions-metadata";
import { describe, expect, it } from "vitest";
import { checkManifest } from "../../src/dev/manifest-check";
import { DIST, requireBuild, ROOT } from "./harness";

requireBuild();
const dist = (file: string) => readFileSync(path.join(DIST, file), "utf8");

describe("the production build", () => {
  it("has everything the manifest names", () => {
    const files = readdirSync(DIST, { recursive: true }).map(String);
    for (const file of ["functions.js", "functions.json", "taskpane.html", "taskpane.js"]) {
      expect(files).toContain(file);
    }
    const manifest = dist("manifest.xml");
    const named = [...manifest.matchAll(/DefaultValue="https:\/\/[^/"]+\/([^"]+)"/g)].map(
      (m) => m[1]
    );
    expect(named.length).toBeGreaterThan(5);
    for (const file of named) expect(files).toContain(file);
  });

  it("rewrites every dev URL of the manifest, and nothing else", () => {
    const source = readFileSync(path.join(ROOT, "manifest.xml"), "utf8");
    const built = dist("manifest.xml");
    const devUrls = source.match(/https:\/\/localhost:3000\//g) ?? [];
    expect(devUrls.length).toBeGreaterThan(5);
    expect(built).not.toContain("localhost");
    expect(checkManifest(built, { production: true })).toEqual([]);
    const productionOrigin = /DefaultValue="(https:\/\/[^/"]+\/)functions\.js"/.exec(built)?.[1];
    expect(productionOrigin).toBeDefined();
    expect(built.replaceAll(productionOrigin!, "https://localhost:3000/")).toBe(source);
  });

  it("ships the functions.json its JSDoc describes", async () => {
    const generated = await generateCustomFunctionsMetadata(
      path.join(ROOT, "src/functions/functions.ts")
    );
    expect(JSON.parse(dist("functions.json"))).toEqual(JSON.parse(generated.metadataJson));
  });

  it("has the runtime page load the Geoapify client beside functions.js, deferred", () => {
    const scripts = [...dist("taskpane.html").matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    const local = scripts.filter((attributes) => !/src="?https:/.test(attributes));
    expect(local.map((attributes) => /src="?([^"\s>]+)/.exec(attributes)?.[1])).toEqual([
      "geoapify.js",
      "functions.js",
      "taskpane.js",
    ]);
    // Deferred scripts download in parallel and run in order once the page is parsed.
    for (const attributes of local) expect(attributes).toMatch(/\bdefer\b/);
  });

  it("registers the functions itself and contains no dev tool", () => {
    const bundle = dist("functions.js");
    expect(bundle).toContain('CustomFunctions.associate("LOCATION"');
    const runtime = bundle + dist("geoapify.js");
    // The emulator and the workbench never ship; nor does the dev build's emulator fallback, nor
    // the dev builds' client thresholds.
    for (const devOnly of [
      "GeoapifyEmulator",
      "gazetteer",
      "__workbench",
      "/emulator",
      "__geobatchClientThresholds",
    ]) {
      expect(runtime).not.toContain(devOnly);
    }
    expect(runtime).toContain("https://api.geoapify.com");
  });
});
