// The upstream side on a real Redis and the emulator: a 429 from Geoapify slows every replica
// and the job still completes; batches are filled in turn by user; CORS and metrics as the
// add-in and operators need them; SIGTERM lets a replica's jobs go at once.

import { Redis } from "ioredis";
import { afterEach, expect, it } from "vitest";
import { GatewayStore, openRedis } from "../../src/gateway/store/store";
import { useRedisAndEmulator } from "./hooks";
import {
  addinClient,
  addressesOf,
  addUser,
  type Replica,
  spawnReplica,
  startReplica,
} from "./support";

const { redis, emulator, upstream } = useRedisAndEmulator();
let replicas: Replica[] = [];

afterEach(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  replicas = [];
});

it("backs off every replica after an upstream 429 and still completes the job", async () => {
  replicas = [await startReplica(redis.url, upstream()), await startReplica(redis.url, upstream())];
  const token = await addUser(redis.url, "patient");
  emulator.inject({
    on: "submit",
    response: { status: 429, message: "Quota exceeded" },
  });
  const inputs = addressesOf("Patient", 0, 5);
  const results = await addinClient(replicas[0].url, token).run({
    kind: "search",
    params: {},
    inputs,
  });
  expect(results.every((place) => place && "lat" in place)).toBe(true);
  const submits = emulator.requests.filter((request) => request.kind === "submit");
  expect(submits.map((request) => request.status)).toEqual([429, 202]);
  // The retried submit waited out the shared back-off (1 s after a first 429).
  expect(submits[1].at - submits[0].at).toBeGreaterThanOrEqual(900);
  const scrape = (replica: Replica) => fetch(`${replica.url}/metrics`).then((r) => r.text());
  const metrics = (await Promise.all(replicas.map(scrape))).join("\n");
  expect(metrics).toMatch(/gateway_upstream_429_total 1/);
  expect(metrics).toMatch(/gateway_credits_today\{user="patient"\} 2\.5/);
});

it("fills an upstream batch in turn by user", async () => {
  const store = new GatewayStore(openRedis(redis.url));
  await store.ready(5_000);
  try {
    const admit = (user: string, prefix: string, count: number) =>
      store.admit(
        {
          user,
          day: "2026-12-05",
          budget: null,
          group: "search||",
          jobId: "",
          jobTtlSeconds: 60,
          creditsPerInput: 0.5,
        },
        addressesOf(prefix, 0, count).map((input) => `search|||${input.toLowerCase()}\n${input}`)
      );
    await admit("big", "Big", 1_500);
    await admit("small", "Small", 1);
    const taken = await store.take("search||", 1_000, "fairness", "test", 60_000);
    expect(taken).toHaveLength(1_000);
    expect(taken.slice(0, 2).map((item) => item.split("\n")[1])).toEqual([
      "1 Big Street, Springfield",
      "1 Small Street, Springfield",
    ]);
    expect(await store.take("search||", 1_000, "rest", "test", 60_000)).toHaveLength(501);
    // Nothing here submits them: forget both upstream jobs, so no replica takes them over.
    for (const uid of ["fairness", "rest"]) {
      await store.complete(uid, { found: 60, notFound: 60 }, []);
    }
  } finally {
    await store.close();
  }
});

it("allows the add-in's origin, its headers, and exposes Retry-After", async () => {
  replicas = [await startReplica(redis.url, upstream())];
  const preflight = await fetch(`${replicas[0].url}/v1/batch/geocode/search`, {
    method: "OPTIONS",
    headers: {
      Origin: "https://localhost:3000",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type,authorization",
    },
  });
  expect(preflight.status).toBeLessThan(300);
  expect(preflight.headers.get("access-control-allow-origin")).toBe("https://localhost:3000");
  expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
  const other = await fetch(`${replicas[0].url}/healthz`, {
    headers: { Origin: "https://elsewhere.example" },
  });
  expect(other.headers.get("access-control-allow-origin")).toBeNull();
  const allowed = await fetch(`${replicas[0].url}/healthz`, {
    headers: { Origin: "http://localhost:3000" },
  });
  expect(allowed.headers.get("access-control-expose-headers")).toMatch(/Retry-After/);
});

it("stops on SIGTERM with exit 0 and lets its upstream job go to another replica", async () => {
  const token = await addUser(redis.url, "handover");
  const leaving = await spawnReplica(redis.url, upstream());
  emulator.set({ jobMs: 1_500 });
  const submit = await fetch(`${leaving.url}/v1/batch/geocode/search?apiKey=${token}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(addressesOf("Handover", 0, 10)),
  });
  const { id } = (await submit.json()) as { id: string };
  for (let attempt = 0; attempt < 100 && emulator.jobsSubmitted().length === 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const exited = new Promise<number | null>((resolve) => leaving.child.once("exit", resolve));
  leaving.child.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(leaving.logs.join("")).toContain('"msg":"stopping"');
  // Its upstream job's lease was let go (score 0), not left to expire.
  const redisClient = new Redis(redis.url);
  const leases = await redisClient.zrange("{gb}:ujobs", 0, -1, "WITHSCORES");
  redisClient.disconnect();
  expect(leases).toHaveLength(2);
  expect(leases[1]).toBe("0");
  replicas = [await startReplica(redis.url, upstream())];
  const poll = () => fetch(`${replicas[0].url}/v1/batch/geocode/search?apiKey=${token}&id=${id}`);
  let status = 0;
  for (let attempt = 0; attempt < 200 && status !== 200; attempt++) {
    status = (await poll()).status;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(status).toBe(200);
  expect(emulator.jobsSubmitted()).toHaveLength(1);
});
