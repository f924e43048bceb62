// The gateway tests' vitest hooks and assertions over the real parts in ./support (which stays free
// of vitest, so that the benchmark's team case can start the same Redis and replicas).

import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { type EmulatorOptions, GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { type SpawnedReplica, TestRedis, waitFor } from "./support";

/**
 * A redis-server and an emulator (at the free plan's 5 requests/s unless told) for one test file:
 * started before its tests, the emulator reset after each (after the file's own afterEach, which
 * closes its replicas), both stopped after all. `upstream()` is the emulator's origin.
 */
export function useRedisAndEmulator(options: EmulatorOptions = { rateLimitPerSecond: 5 }) {
  const redis = new TestRedis();
  const emulator = new GeoapifyEmulator(options);
  let origin: string | undefined;
  beforeAll(async () => {
    await redis.start();
    origin = await emulator.listen();
  });
  afterEach(() => emulator.reset());
  afterAll(async () => {
    await emulator.close();
    await redis.stop();
  });
  const upstream = () => {
    if (!origin) throw new Error("the emulator starts in beforeAll");
    return origin;
  };
  return { redis, emulator, upstream };
}

/** Geoapify's own refusal of a key, which the gateway gives a token it does not accept. */
export async function expectInvalidToken(answer: Response): Promise<void> {
  expect(answer.status).toBe(401);
  expect(await answer.json()).toEqual({
    statusCode: 401,
    error: "Unauthorized",
    message: "Invalid apiKey",
  });
}

async function holderOfUpstreamJob(replicas: readonly SpawnedReplica[]) {
  for (const one of replicas) {
    const metrics = await (await fetch(`${one.url}/metrics`)).text();
    if (/gateway_upstream_jobs_in_flight 1/.test(metrics)) return one;
  }
  return undefined;
}

/**
 * A replica dying mid-job: sends `inputs` as one batch job to `entry`, waits for `moment`, kills
 * (SIGKILL) whichever of `pair` holds the upstream job, and returns the job's results once the
 * other replica, the survivor, answers the poll with them.
 */
export async function killHolderMidJob(
  pair: readonly SpawnedReplica[],
  job: { entry: SpawnedReplica; token: string; inputs: readonly string[] },
  moment: { reached: () => boolean; what: string }
): Promise<{ results: unknown[]; survivor: SpawnedReplica }> {
  const answer = await fetch(`${job.entry.url}/v1/batch/geocode/search?apiKey=${job.token}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(job.inputs),
  });
  const { id } = (await answer.json()) as { id: string };
  await waitFor(moment.reached, moment.what);
  const holder = await holderOfUpstreamJob(pair);
  expect(holder).toBeDefined();
  holder?.child.kill("SIGKILL");
  const survivor = pair.find((one) => one !== holder) ?? pair[0];
  let results: unknown[] = [];
  await waitFor(async () => {
    const poll = await fetch(
      `${survivor.url}/v1/batch/geocode/search?apiKey=${job.token}&id=${id}`
    );
    if (poll.status !== 200) return false;
    results = (await poll.json()) as unknown[];
    return true;
  }, "the other replica to collect the job");
  return { results, survivor };
}
