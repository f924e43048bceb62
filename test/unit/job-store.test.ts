// Jobs survive a reload: persisted on acceptance (memory and IndexedDB), collected by resume(),
// dropped when another key paid for them, resubmitted once when Geoapify forgot them, and
// collected by one runtime only.

import { IDBFactory as FakeIDBFactory } from "fake-indexeddb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  hashApiKey,
  memoryJobStore,
  openJobStore,
  type JobStore,
  type StoredJob,
} from "../../src/geoapify/client";
import type { LockManagerLike } from "../../src/geoapify/job-store";
import {
  advance,
  API_KEY,
  closeClients,
  flushRealWork,
  harness,
  ofType,
  ORIGIN,
  search,
  track,
} from "./support/client-harness";
import { answerFor } from "./support/fake-geoapify";

beforeEach(() => {
  // setImmediate stays real: fake-indexeddb and crypto.subtle answer on the real event loop.
  vi.useFakeTimers({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
});
afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

const found = (input: string) => expect.objectContaining(answerFor(input) ?? {});
const INPUTS = ["1 Baker St London", "2 Baker St London"];

/** Submits INPUTS as a slow job, then "reloads": the client closes with the job in flight. */
async function jobInFlightThenReload(store: JobStore) {
  const setup = harness({ client: { jobStore: store }, fake: { jobMs: () => 60_000 } });
  track(setup.client.run(search(INPUTS)));
  await advance(1_000);
  await vi.waitFor(async () => expect(await store.list()).toHaveLength(1));
  setup.client.close();
  return setup;
}

describe.each([
  ["memory", async () => memoryJobStore()],
  ["IndexedDB", () => openJobStore(new FakeIDBFactory())],
])("the %s job store", (_, openStore) => {
  it("keeps the accepted job with a hash of its key and collects it after a reload", async () => {
    const store = await openStore();
    const { fake, another, collected, events } = await jobInFlightThenReload(store);
    const [stored] = await store.list();
    expect(stored).toEqual({
      id: ofType(events, "submitted")[0].jobId,
      baseUrl: ORIGIN,
      kind: "search",
      params: {},
      inputs: INPUTS,
      keyHash: await hashApiKey(API_KEY),
      submittedAt: expect.any(Number),
      size: 2,
    });
    expect(JSON.stringify(stored)).not.toContain(API_KEY);

    const reloaded = another();
    await reloaded.resume();
    // A recalculation after the reload attaches to the resumed job.
    const call = track(reloaded.run(search(INPUTS)));
    await advance(120_000);
    await flushRealWork();
    expect(call.value).toEqual(INPUTS.map(found));
    expect(collected.map((delivery) => delivery.results)).toEqual([INPUTS.map(found)]);
    expect(fake.submits).toHaveLength(1);
    expect(await store.list()).toEqual([]);
  });
});

describe("resume()", () => {
  it("drops stored jobs another key paid for, without polling them", async () => {
    const store = memoryJobStore();
    const { fake, another } = await jobInFlightThenReload(store);
    const polls = fake.polls.length;
    await another({ apiKey: "another-key" }).resume();
    await advance(120_000);
    expect(await store.list()).toEqual([]);
    expect(fake.polls).toHaveLength(polls);
  });

  it("leaves other endpoints' jobs alone", async () => {
    const store = memoryJobStore();
    const foreign: StoredJob = {
      id: "f".repeat(32),
      baseUrl: "https://api-eu.geoapify.com",
      kind: "search",
      params: {},
      inputs: ["x"],
      keyHash: "0",
      submittedAt: Date.now(),
      size: 1,
    };
    await store.put(foreign);
    const { client } = harness({ client: { jobStore: store } });
    await client.resume();
    expect(await store.list()).toEqual([foreign]);
  });

  it("resubmits a caller's inputs once when the stored job expired (404)", async () => {
    const store = memoryJobStore();
    const { fake, another, events } = await jobInFlightThenReload(store);
    fake.forgetJobs();
    const reloaded = another();
    await reloaded.resume();
    const call = track(reloaded.run(search(INPUTS)));
    await advance(120_000);
    expect(call.error).toBeUndefined();
    expect(call.value).toEqual(INPUTS.map(found));
    expect(fake.submits.map((request) => request.addresses)).toEqual([INPUTS, INPUTS]);
    expect(ofType(events, "job-failed")).toMatchObject([{ error: "expired" }]);
  });

  it("settles a caller as expired when the resubmitted job is forgotten too", async () => {
    const store = memoryJobStore();
    const { fake, another } = await jobInFlightThenReload(store);
    fake.forgetJobs();
    const reloaded = another();
    await reloaded.resume();
    const call = track(reloaded.run(search(INPUTS)));
    await advance(500);
    expect(fake.submits).toHaveLength(2);
    fake.forgetJobs();
    await advance(120_000);
    expect(call.error).toMatchObject({ kind: "expired" });
    expect(fake.submits).toHaveLength(2);
  });

  it("drops an expired job nobody waits for", async () => {
    const store = memoryJobStore();
    const { fake, another } = await jobInFlightThenReload(store);
    fake.forgetJobs();
    const reloaded = another();
    await reloaded.resume();
    await advance(5_000);
    expect(await store.list()).toEqual([]);
    expect(fake.submits).toHaveLength(1);
    expect(reloaded.state.jobsInFlight).toBe(0);
  });

  it("collects a job only where the lease is free", async () => {
    const store = memoryJobStore();
    const { fake, another } = await jobInFlightThenReload(store);
    const held: LockManagerLike = {
      request: async (_name, _options, callback) => callback(null),
    };
    const polls = fake.polls.length;
    const other = another({ locks: held });
    await other.resume();
    await advance(120_000);
    expect(fake.polls).toHaveLength(polls);
    expect(other.state.jobsInFlight).toBe(0);
    expect(await store.list()).toHaveLength(1);
  });
});
