// Real parts for the gateway's tests: a redis-server of their own on a free loopback port, the
// Geoapify emulator, gateway replicas in this process or as child processes, and the add-in's
// own Geoapify client pointed at a replica.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createGateway, type Gateway } from "../../src/gateway/app";
import { runCli } from "../../src/gateway/cli";
import { readConfig } from "../../src/gateway/config";
import { GeoapifyClient } from "../../src/geoapify/client";
import type { RecordedRequest } from "../../src/dev/emulator/emulator";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A redis-server with no persistence on a free loopback port; stop() ends it. With
 * `sentinelFor`, a Sentinel watching that server as master "geobatch" instead.
 */
export class TestRedis {
  #process: ChildProcess | undefined;
  #directory: string | undefined;
  port = 0;

  constructor(private readonly sentinelFor?: TestRedis) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const args = ["--port", String(this.port), "--bind", "127.0.0.1"];
    if (this.sentinelFor) {
      // Sentinel rewrites its configuration file, so it needs one of its own.
      this.#directory ??= mkdtempSync(join(tmpdir(), "gateway-sentinel-"));
      const file = join(this.#directory, "sentinel.conf");
      writeFileSync(
        file,
        `sentinel monitor geobatch 127.0.0.1 ${this.sentinelFor.port} 1\n` +
          `sentinel resolve-hostnames yes\n`
      );
      args.unshift(file, "--sentinel");
    } else {
      args.push("--save", "", "--appendonly", "no");
    }
    const child = spawn("redis-server", args, { stdio: "ignore" });
    let missing = false;
    child.once("error", () => (missing = true));
    this.#process = child;
    for (let attempt = 0; attempt < 100 && !missing; attempt++) {
      if (await this.#answers()) return;
      await delay(50);
    }
    throw new Error(
      missing
        ? "redis-server is not installed: on Debian/Ubuntu, apt-get install redis-server"
        : "redis-server did not start"
    );
  }

  /** SIGSTOP: the server keeps its connections and answers nothing, as a frozen host does. */
  freeze(): void {
    this.#process?.kill("SIGSTOP");
  }

  thaw(): void {
    this.#process?.kill("SIGCONT");
  }

  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child || child.exitCode !== null) return;
    child.kill("SIGCONT");
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    if (this.#directory) rmSync(this.#directory, { recursive: true, force: true });
    this.#directory = undefined;
  }

  async #answers(): Promise<boolean> {
    const { Socket } = await import("node:net");
    return new Promise((resolve) => {
      const socket = new Socket();
      socket.setTimeout(500);
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString().startsWith("+PONG"));
      });
      socket.once("error", () => resolve(false));
      socket.once("timeout", () => {
        socket.destroy();
        resolve(false);
      });
      socket.connect(this.port, "127.0.0.1", () => socket.write("PING\r\n"));
    });
  }
}

export const COMPANY_KEY = "company-secret-key-0123456789";

export interface Replica {
  url: string;
  gateway: Gateway;
  logs: string[];
  close(): Promise<void>;
}

/** A replica in this process, its pino lines kept in `logs`. */
export async function startReplica(
  redisUrl: string,
  upstream: string,
  env: Record<string, string> = {}
): Promise<Replica> {
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = readConfig({
    GEOAPIFY_API_KEY: COMPANY_KEY,
    GATEWAY_UPSTREAM: upstream,
    REDIS_URL: redisUrl,
    GATEWAY_PORT: "0",
    ...env,
  });
  const gateway = createGateway(config, { logStream, leaseMs: 2_000 });
  const url = await gateway.listen();
  return { url, gateway, logs, close: () => gateway.close() };
}

export interface SpawnedReplica {
  url: string;
  child: ChildProcess;
  logs: string[];
}

/** A replica as its own Node process (src run through tsx), for kill -9. */
export async function spawnReplica(redisUrl: string, upstream: string): Promise<SpawnedReplica> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/gateway/main.ts"], {
    env: {
      ...process.env,
      GEOAPIFY_API_KEY: COMPANY_KEY,
      GATEWAY_UPSTREAM: upstream,
      REDIS_URL: redisUrl,
      GATEWAY_PORT: String(port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  child.stdout?.on("data", (chunk) => logs.push(String(chunk)));
  child.stderr?.on("data", (chunk) => logs.push(String(chunk)));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return { url, child, logs };
    } catch {
      // not listening yet
    }
    await delay(50);
  }
  child.kill("SIGKILL");
  throw new Error(`replica did not start: ${logs.join("")}`);
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (await check()) return;
    await delay(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** `gateway user add NAME`: the token it prints. */
export async function addUser(redisUrl: string, name: string, budget?: number): Promise<string> {
  const out: string[] = [];
  const args = [
    "user",
    "add",
    name,
    ...(budget === undefined ? [] : ["--daily-budget", `${budget}`]),
  ];
  const code = await runCli(
    args,
    { REDIS_URL: redisUrl },
    { out: (l) => out.push(l), err: () => {} }
  );
  if (code !== 0 || out.length !== 1) throw new Error(`user add ${name} failed`);
  return out[0];
}

/** The add-in's own client, as one analyst's runtime would run it, pointed at a gateway. */
export function addinClient(baseUrl: string, token: string): GeoapifyClient {
  return new GeoapifyClient({
    baseUrl,
    apiKey: token,
    rateChannel: () => undefined,
    retryBaseDelayMs: 200,
    maxRetryDelayMs: 2_000,
    maxAttempts: 20,
    waitLimitMs: 60_000,
  });
}

/** Most upstream requests that arrived within any 1,000 ms. */
export function peakPerSecond(requests: readonly RecordedRequest[]): number {
  const times = requests.filter((r) => r.method !== "OPTIONS").map((r) => r.at);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= 1_000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

export function addressesOf(prefix: string, from: number, count: number): string[] {
  return Array.from(
    { length: count },
    (_, index) => `${from + index + 1} ${prefix} Street, Springfield`
  );
}
