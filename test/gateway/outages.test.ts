// Redis frozen, a replica killed with SIGKILL mid-job, and the one window for a double payment
// (a replica killed after sending a submit, before its answer): what the gateway does in each.

import type { ChildProcess } from "node:child_process";
import { afterEach, expect, it } from "vitest";
import { geocode } from "../../src/dev/emulator/gazetteer";
import type { Place } from "../../src/places/place";
import { killHolderMidJob, useRedisAndEmulator } from "./hooks";
import {
  addinClient,
  addressesOf,
  addUser,
  COMPANY_KEY,
  type Replica,
  spawnReplica,
  startReplica,
  waitFor,
} from "./support";

const { redis, emulator, upstream } = useRedisAndEmulator();
const children: ChildProcess[] = [];
let replica: Replica | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await replica?.close();
  replica = undefined;
});

function expectRight(inputs: readonly string[], results: readonly unknown[]) {
  inputs.forEach((address, index) => {
    expect((results[index] as Place).lat, address).toBe(geocode(address).lat);
  });
}

it("answers 503 within about 2 s while Redis is frozen, then finishes the job", async () => {
  replica = await startReplica(redis.url, upstream());
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
  const pair = [
    await spawnReplica(redis.url, upstream()),
    await spawnReplica(redis.url, upstream()),
  ];
  children.push(...pair.map((one) => one.child));
  return pair;
}

it("goes on with a killed replica's upstream job on another replica", async () => {
  const pair = await spawnPair();
  const token = await addUser(redis.url, "survivor");
  emulator.set({ jobMs: 2_000 });
  const inputs = addressesOf("Survivor", 0, 30);
  const { results } = await killHolderMidJob(
    pair,
    { entry: pair[0], token, inputs },
    { reached: () => emulator.requests.some((r) => r.kind === "poll"), what: "a first poll" }
  );
  expectRight(inputs, results);
  expect(emulator.jobsSubmitted()).toHaveLength(1);
  const logs = pair.flatMap((one) => one.logs).join("");
  expect(logs).toContain("took over an upstream job");
  expect(logs).not.toContain(COMPANY_KEY);
  expect(logs).not.toContain(token);
});

it("submits again, once, a job whose replica died between sending it and its answer", async () => {
  const pair = await spawnPair();
  const token = await addUser(redis.url, "window");
  emulator.set({ latencyMs: 1_500 });
  const inputs = addressesOf("Window", 0, 10);
  const { results, survivor } = await killHolderMidJob(
    pair,
    { entry: pair[1], token, inputs },
    {
      reached: () => emulator.requests.some((r) => r.kind === "submit"),
      what: "the submit to leave",
    }
  );
  expectRight(inputs, results);
  // At-least-once: the lost submit and its replacement; the user was charged once.
  expect(emulator.requests.filter((r) => r.kind === "submit")).toHaveLength(2);
  const usage = await fetch(`${survivor.url}/v1/gateway/usage?apiKey=${token}`);
  expect(((await usage.json()) as { creditsToday: number }).creditsToday).toBe(5);
});

it("answers 503 while Redis is stopped and serves again once it is back", async () => {
  replica = await startReplica(redis.url, upstream());
  await redis.stop();
  try {
    const started = Date.now();
    const answer = await fetch(`${replica.url}/v1/batch/geocode/search?apiKey=anyone`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(["1 Stopped Street, Springfield"]),
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(4_000);
    expect((await fetch(`${replica.url}/healthz`)).status).toBe(503);
  } finally {
    await redis.start();
  }
  // Restarted empty (no persistence here): users are gone, but the replica serves again.
  await waitFor(async () => (await fetch(`${replica!.url}/healthz`)).status === 200, "healthz");
  const token = await addUser(redis.url, "after");
  const inputs = addressesOf("After", 0, 3);
  expectRight(
    inputs,
    await addinClient(replica.url, token).run({ kind: "search", params: {}, inputs })
  );
});
