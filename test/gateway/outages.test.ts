// Redis frozen, a replica killed with SIGKILL mid-job, and the one window for a double payment
// (a replica killed after sending a submit, before its answer): what the gateway does in each.

import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { geocode } from "../../src/dev/emulator/gazetteer";
import type { Place } from "../../src/places/place";
import {
  addinClient,
  addressesOf,
  addUser,
  type Replica,
  spawnReplica,
  startReplica,
  TestRedis,
} from "./support";

const redis = new TestRedis();
const emulator = new GeoapifyEmulator({ rateLimitPerSecond: 5 });
let upstream: string;
const children: ChildProcess[] = [];
let replica: Replica | undefined;

beforeAll(async () => {
  await redis.start();
  upstream = await emulator.listen();
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await replica?.close();
  replica = undefined;
  emulator.reset();
});

afterAll(async () => {
  await emulator.close();
  await redis.stop();
});

const waitFor = async (check: () => boolean | Promise<boolean>, what: string) => {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

function expectRight(inputs: readonly string[], results: readonly unknown[]) {
  inputs.forEach((address, index) => {
    expect((results[index] as Place).lat, address).toBe(geocode(address).lat);
  });
}

it("answers 503 within about 2 s while Redis is frozen, then finishes the job", async () => {
  replica = await startReplica(redis.url, upstream);
  const token = await addUser(redis.url, "frozen");
  emulator.set({ jobMs: 1_500 });
  const inputs = addressesOf("Frozen", 0, 20);
  const run = addinClient(replica.url, token).run({ kind: "search", params: {}, inputs });
  await waitFor(() => emulator.jobsSubmitted().length === 1, "the submit");
  redis.freeze();
  try {
    for (const path of ["/healthz", `/v1/gateway/usage?apiKey=${token}`]) {
      const started = Date.now();
      const answer = await fetch(`${replica.url}${path}`);
      expect(answer.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(4_000);
      const body = (await answer.json()) as { statusCode: number; error: string };
      expect(body).toMatchObject({ statusCode: 503, error: "Service Unavailable" });
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  } finally {
    redis.thaw();
  }
  expectRight(inputs, await run);
  expect((await fetch(`${replica.url}/healthz`)).status).toBe(200);
  expect(emulator.jobsSubmitted()).toHaveLength(1);
});

async function spawnPair() {
  const pair = [await spawnReplica(redis.url, upstream), await spawnReplica(redis.url, upstream)];
  children.push(...pair.map((one) => one.child));
  return pair;
}

async function holderOf(pair: Awaited<ReturnType<typeof spawnPair>>) {
  for (const one of pair) {
    const metrics = await (await fetch(`${one.url}/metrics`)).text();
    if (/gateway_upstream_jobs_in_flight 1/.test(metrics)) return one;
  }
  return undefined;
}

it("goes on with a killed replica's upstream job on another replica", async () => {
  const pair = await spawnPair();
  const token = await addUser(redis.url, "survivor");
  emulator.set({ jobMs: 2_000 });
  const inputs = addressesOf("Survivor", 0, 30);
  const answer = await fetch(`${pair[0].url}/v1/batch/geocode/search?apiKey=${token}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(inputs),
  });
  const { id } = (await answer.json()) as { id: string };
  await waitFor(() => emulator.requests.some((r) => r.kind === "poll"), "a first poll");
  const holder = await holderOf(pair);
  expect(holder).toBeDefined();
  holder?.child.kill("SIGKILL");
  const other = pair.find((one) => one !== holder) ?? pair[0];
  let results: unknown[] = [];
  await waitFor(async () => {
    const poll = await fetch(`${other.url}/v1/batch/geocode/search?apiKey=${token}&id=${id}`);
    if (poll.status !== 200) return false;
    results = (await poll.json()) as unknown[];
    return true;
  }, "the other replica to collect the job");
  expectRight(inputs, results);
  expect(emulator.jobsSubmitted()).toHaveLength(1);
});

it("submits again, once, a job whose replica died between sending it and its answer", async () => {
  const pair = await spawnPair();
  const token = await addUser(redis.url, "window");
  emulator.set({ latencyMs: 1_500 });
  const inputs = addressesOf("Window", 0, 10);
  const answer = await fetch(`${pair[1].url}/v1/batch/geocode/search?apiKey=${token}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(inputs),
  });
  const { id } = (await answer.json()) as { id: string };
  await waitFor(() => emulator.requests.some((r) => r.kind === "submit"), "the submit to leave");
  const holder = await holderOf(pair);
  expect(holder).toBeDefined();
  holder?.child.kill("SIGKILL");
  const other = pair.find((one) => one !== holder) ?? pair[0];
  let results: unknown[] = [];
  await waitFor(async () => {
    const poll = await fetch(`${other.url}/v1/batch/geocode/search?apiKey=${token}&id=${id}`);
    if (poll.status !== 200) return false;
    results = (await poll.json()) as unknown[];
    return true;
  }, "the job to be submitted again and collected");
  expectRight(inputs, results);
  // At-least-once: the lost submit and its replacement; the user was charged once.
  expect(emulator.requests.filter((r) => r.kind === "submit")).toHaveLength(2);
  const usage = await fetch(`${other.url}/v1/gateway/usage?apiKey=${token}`);
  expect(((await usage.json()) as { creditsToday: number }).creditsToday).toBe(5);
});
