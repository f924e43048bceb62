// The runtime Geocoder's paid jobs on the fake clock: a job past the wait limit is collected into
// the cache, a recalculation attaches or answers from the cache, a reload resumes the stored job,
// a new key drops the old key's job, forget() sends exactly the forgotten lookups again, cancelled
// cells leave their job to be collected, and close() leaves nothing behind.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GeoapifyError } from "../../src/geoapify/errors";
import { LookupFailedError } from "../../src/runtime/errors";
import { hashApiKey } from "../../src/geoapify/job-store";
import { lookupKey } from "../../src/places/lookup";
import { GeoBatchStoppedError } from "../../src/runtime/geocoder";
import { SETTING_KEYS } from "../../src/settings/settings";
import { answerFor, type FakeGeoapify } from "./support/fake-geoapify";
import {
  API_KEY,
  cacheKeyOf,
  connect,
  drain,
  fakeGeoapify,
  installTelemetryTarget,
  openRuntime,
  search,
  settleWithoutTime,
  type Runtime,
} from "./support/runtime-harness";

const ADDRESSES = ["1 Baker St London", "2 Baker St London"];
const fulfilled = (text: string) => ({ status: "fulfilled", value: answerFor(text) });
const rejectedWith = (kind: string) => ({
  status: "rejected",
  reason: expect.objectContaining({ name: "LookupFailedError", kind }),
});

installTelemetryTarget();
let fake: FakeGeoapify;
const opened: Runtime[] = [];

async function start(setup: Parameters<typeof openRuntime>[1] = {}): Promise<Runtime> {
  const runtime = openRuntime(fake, setup);
  opened.push(runtime);
  return connect(runtime);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  for (const runtime of opened.splice(0)) await runtime.geocoder.close();
  vi.useRealTimers();
});

describe("a job past the wait limit", () => {
  it("settles still-running, is collected into the cache, and a recalculation submits nothing", async () => {
    fake = fakeGeoapify({ jobMs: () => 60_000 });
    const { geocoder, cache } = await start({ settings: { jobTimeoutMs: "5000" } });
    const first = await drain(ADDRESSES.map((text) => geocoder.lookup(search(text))));
    expect(first).toEqual([rejectedWith("still-running"), rejectedWith("still-running")]);

    await vi.advanceTimersByTimeAsync(120_000);
    for (const text of ADDRESSES) {
      expect((await cache).get(cacheKeyOf(lookupKey(search(text))))).toEqual(answerFor(text));
    }
    const requests = fake.requests.length;
    const again = await drain(
      ADDRESSES.map((text) => geocoder.lookup(search(text))),
      1_000
    );
    expect(again).toEqual(ADDRESSES.map(fulfilled));
    expect(fake.submits).toHaveLength(1);
    expect(fake.requests).toHaveLength(requests);
  });

  it("is attached to by a recalculation while it still runs", async () => {
    let jobs = 0;
    fake = fakeGeoapify({ jobMs: () => (jobs++ === 0 ? 8_000 : 1_000) });
    const { geocoder } = await start({ settings: { jobTimeoutMs: "5000" } });
    const first = await drain([geocoder.lookup(search(ADDRESSES[0]))]);
    expect(first).toEqual([rejectedWith("still-running")]);
    const again = await drain(ADDRESSES.map((text) => geocoder.lookup(search(text))));
    expect(again).toEqual(ADDRESSES.map(fulfilled));
    // The second address goes out in a job of its own; the first was never sent twice.
    expect(fake.submits.map((request) => request.addresses)).toEqual([
      [ADDRESSES[0]],
      [ADDRESSES[1]],
    ]);
  });
});

describe("a reload", () => {
  it("resumes the stored job: recalculated addresses are submitted once in all", async () => {
    fake = fakeGeoapify({ jobMs: () => 30_000 });
    const before = await start();
    const calls = ADDRESSES.map((text) => before.geocoder.lookup(search(text)));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(fake.submits).toHaveLength(1);
    await vi.waitFor(async () => expect(await before.jobStore.list()).toHaveLength(1));
    await before.geocoder.close();
    expect(await drain(calls, 0)).toEqual([
      { status: "rejected", reason: expect.any(GeoBatchStoppedError) },
      { status: "rejected", reason: expect.any(GeoBatchStoppedError) },
    ]);
    expect(await before.jobStore.list()).toMatchObject([{ inputs: ADDRESSES, size: 2 }]);

    const after = await start({ store: before.store, jobStore: before.jobStore });
    await settleWithoutTime(after.geocoder.resumeStoredJobs());
    const recalculated = await drain(ADDRESSES.map((text) => after.geocoder.lookup(search(text))));
    expect(recalculated).toEqual(ADDRESSES.map(fulfilled));
    expect(fake.submits).toHaveLength(1);
    expect(await after.jobStore.list()).toEqual([]);
  });

  it("with a new key drops the stored job of the old key without polling it", async () => {
    fake = fakeGeoapify({ jobMs: () => 30_000 });
    const before = await start();
    void before.geocoder.lookup(search(ADDRESSES[0])).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(3_000);
    // The key's hash and the store's write are real asynchronous work, not timers: on a busy
    // machine they may land after the fake clock has moved on.
    await vi.waitFor(async () => expect(await before.jobStore.list()).toHaveLength(1));
    await before.geocoder.close();
    const [stored] = await before.jobStore.list();
    expect(stored.keyHash).toBe(await settleWithoutTime(hashApiKey(API_KEY)));

    await before.store.setItem(SETTING_KEYS.apiKey, "another-key-7f3a");
    const requests = fake.requests.length;
    const after = await start({ store: before.store, jobStore: before.jobStore });
    await settleWithoutTime(after.geocoder.resumeStoredJobs());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await after.jobStore.list()).toEqual([]);
    expect(fake.requests).toHaveLength(requests);
  });
});

describe("forget(keys)", () => {
  it("makes exactly those lookups go out again", async () => {
    fake = fakeGeoapify({ jobMs: () => 1_000 });
    const { geocoder } = await start();
    const texts = ["1 Baker St London", "2 Baker St London", "3 Nowhere Lane"];
    const lookups = texts.map((text) => search(text));
    expect(await drain(lookups.map((lookup) => geocoder.lookup(lookup)))).toEqual(
      texts.map(fulfilled)
    );
    expect(
      await settleWithoutTime(geocoder.forget([lookupKey(lookups[0]), lookupKey(lookups[2])]))
    ).toBe(2);

    expect(await drain(lookups.map((lookup) => geocoder.lookup(lookup)))).toEqual(
      texts.map(fulfilled)
    );
    expect(fake.submits.map((request) => request.addresses)).toEqual([texts, [texts[0], texts[2]]]);
  });
});

describe("cancelled cells", () => {
  it("leave a submitted job to be collected into the cache; an unsent one is never sent", async () => {
    fake = fakeGeoapify({ jobMs: () => 10_000 });
    const { geocoder, cache } = await start();
    const controllers = ADDRESSES.map(() => new AbortController());
    const calls = ADDRESSES.map((text, i) =>
      geocoder.lookup(search(text), { signal: controllers[i].signal })
    );
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fake.submits.map((request) => request.status)).toEqual([202]);
    const late = new AbortController();
    const unsent = geocoder.lookup(search("3 Baker St London"), { signal: late.signal });
    for (const controller of [...controllers, late]) controller.abort(new Error("cell edited"));

    const outcomes = await drain([...calls, unsent], 0);
    expect(outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason?.message)).toEqual(
      Array(3).fill("cell edited")
    );
    await vi.advanceTimersByTimeAsync(60_000);
    for (const text of ADDRESSES) {
      expect((await cache).get(cacheKeyOf(lookupKey(search(text))))).toEqual(answerFor(text));
    }
    expect(fake.submits.map((request) => request.addresses)).toEqual([ADDRESSES]);
  });
});

describe("close()", () => {
  it("settles queued, rate-waiting and polling cells as stopped and leaves no timer", async () => {
    fake = fakeGeoapify({ jobMs: () => 30_000 });
    // One request a second: the second group's submit waits for the rate.
    const { geocoder } = await start({ settings: { ratePerSecond: "1" } });
    const polling = geocoder.lookup(search(ADDRESSES[0]));
    await vi.advanceTimersByTimeAsync(2_000);
    const waitingForRate = geocoder.lookup(search(ADDRESSES[0], { language: "de" }));
    const alsoWaiting = geocoder.lookup(search(ADDRESSES[0], { language: "fr" }));
    await vi.advanceTimersByTimeAsync(100);
    const queued = geocoder.lookup(search(ADDRESSES[1]));
    const requests = fake.requests.length;

    await geocoder.close();
    const late = geocoder.lookup(search("3 Baker St London"));
    const stopped = { status: "rejected", reason: expect.any(GeoBatchStoppedError) };
    expect(await drain([polling, waitingForRate, alsoWaiting, queued, late], 0)).toEqual(
      Array(5).fill(stopped)
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(fake.requests).toHaveLength(requests);
    expect(fake.openRequests).toBe(0);
  });

  it("is what every waiter sees, never a client error", async () => {
    fake = fakeGeoapify({ jobMs: () => 30_000 });
    const { geocoder } = await start();
    const call = geocoder.lookup(search(ADDRESSES[0]));
    await vi.advanceTimersByTimeAsync(2_000);
    await geocoder.close();
    const [outcome] = await drain([call], 0);
    expect((outcome as PromiseRejectedResult).reason).not.toBeInstanceOf(GeoapifyError);
    expect((outcome as PromiseRejectedResult).reason).not.toBeInstanceOf(LookupFailedError);
  });
});
