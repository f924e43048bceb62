// `npm start -- --gateway`: the team setup on one machine, beside the workbench — a redis-server
// of its own on a free loopback port, two gateway replicas with the emulator as their upstream,
// and a demo user whose token the workbench uses (served as /dev-preset.json by the dev server).

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

export interface TeamGateway {
  /** The first replica's URL, which the workbench's pane uses. */
  urls: string[];
  /** localStorage settings the workbench applies when no key is saved (contract 6). */
  preset: Record<string, string>;
  stop(): void;
}

export class RedisMissingError extends Error {
  override readonly name = "RedisMissingError";

  constructor() {
    super(
      "The team gateway needs redis-server, which is not installed. Install it " +
        "(Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and run " +
        "npm start -- --gateway again."
    );
  }
}

const GATEWAY_ENTRY = ["--import", "tsx", "src/gateway/main.ts"];
const DEMO_KEY = "emulator-company-key";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not start`);
}

export async function startTeamGateway(emulatorUrl: string): Promise<TeamGateway> {
  if (spawnSync("redis-server", ["--version"]).error) throw new RedisMissingError();
  const children: ChildProcess[] = [];
  const stop = () => children.forEach((child) => child.kill("SIGTERM"));
  try {
    const redisPort = await freePort();
    children.push(
      spawn(
        "redis-server",
        ["--port", `${redisPort}`, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { stdio: "ignore" }
      )
    );
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const env = { ...process.env, REDIS_URL: redisUrl };
    const token = await demoToken(env);
    const urls: string[] = [];
    for (let replica = 0; replica < 2; replica++) {
      const port = await freePort();
      const child = spawn(process.execPath, GATEWAY_ENTRY, {
        env: {
          ...env,
          GEOAPIFY_API_KEY: DEMO_KEY,
          GATEWAY_UPSTREAM: emulatorUrl,
          GATEWAY_PORT: `${port}`,
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "inherit", "inherit"],
      });
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitUntil(async () => (await fetch(`${url}/healthz`)).ok, `gateway replica ${url}`);
      urls.push(url);
    }
    const preset = {
      "geoapify.endpointKind": "gateway",
      "geoapify.baseUrl": urls[0],
      "geoapify.apiKey": token,
    };
    return { urls, preset, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/** `gateway user add demo`, retried while the new redis-server starts. */
async function demoToken(env: NodeJS.ProcessEnv): Promise<string> {
  let token = "";
  await waitUntil(async () => {
    const run = spawnSync(process.execPath, [...GATEWAY_ENTRY, "user", "add", "demo"], {
      env,
      encoding: "utf8",
    });
    token = run.status === 0 ? run.stdout.trim() : "";
    return token !== "";
  }, "redis-server");
  return token;
}
