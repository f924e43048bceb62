// The batcher: window, size cap, de-duplication, results, concurrency.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Batcher } from "../../src/batching/batcher";
import { setup, track, flush, eventsOf, valueOf } from "./support/batcher-harness";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("window", () => {
  it("starts one timer for the first key and dispatches the queue when it fires", async () => {
    const { batcher, calls, events, answer } = setup({ windowMs: 50 });
    expect(vi.getTimerCount()).toBe(0);

    const a = track(batcher.load("a"));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(20);
    const b = track(batcher.load("b"));
    expect(vi.getTimerCount()).toBe(1);

    await vi.advanceTimersByTimeAsync(29);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a", "b"]]);
    expect(vi.getTimerCount()).toBe(0);
    expect(eventsOf(events, "dispatched")[0]).toMatchObject({ maxWaitMs: 50, meanWaitMs: 40 });

    answer(calls[0]);
    await flush();
    expect(a).toEqual({ status: "fulfilled", value: valueOf("a") });
    expect(b).toEqual({ status: "fulfilled", value: valueOf("b") });
    expect(vi.getTimerCount()).toBe(0);
    expect(batcher.queued).toBe(0);
    expect(batcher.inFlight).toBe(0);
  });

  it("opens a new window for the first key after the queue emptied", async () => {
    const { batcher, calls, answer } = setup({ windowMs: 30 });
    track(batcher.load("a"));
    await vi.advanceTimersByTimeAsync(30);
    await flush();
    answer(calls[0]);
    await flush();

    track(batcher.load("b"));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(29);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(calls[1].keys).toEqual(["b"]);
  });

  it("uses 50 ms when windowMs is not given", async () => {
    const { batcher, calls } = setup({ windowMs: undefined });
    track(batcher.load("a"));
    await vi.advanceTimersByTimeAsync(49);
    await flush();
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(calls).toHaveLength(1);
  });

  it("rejects options it cannot honour", () => {
    const batch = async (): Promise<string[]> => [];
    expect(() => new Batcher({ batch, windowMs: -1 })).toThrow(RangeError);
    expect(() => new Batcher({ batch, maxBatchSize: 0 })).toThrow(/maxBatchSize/);
    expect(() => new Batcher({ batch, maxConcurrentBatches: 1.5 })).toThrow(/maxConcurrentBatches/);
  });
});

describe("size cap", () => {
  it("dispatches a full batch at once, without waiting for the window", async () => {
    const { batcher, calls } = setup({ windowMs: 1000, maxBatchSize: 3 });
    for (const key of ["a", "b", "c"]) track(batcher.load(key));
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a", "b", "c"]]);
    expect(vi.getTimerCount()).toBe(0);

    track(batcher.load("d"));
    expect(vi.getTimerCount()).toBe(1);
  });

  it("opens a fresh window for the key after a full batch", async () => {
    const { batcher, calls } = setup({ windowMs: 50, maxBatchSize: 2 });
    track(batcher.load("a"));
    await vi.advanceTimersByTimeAsync(10);
    for (const key of ["b", "c"]) track(batcher.load(key));
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a", "b"]]);

    // a's window ended with its batch; c waits its own 50 ms.
    await vi.advanceTimersByTimeAsync(49);
    await flush();
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a", "b"], ["c"]]);
  });

  it("cuts batches at dispatch: keys arriving while slots are busy fill the next", async () => {
    const { batcher, calls, answer } = setup({
      windowMs: 50,
      maxBatchSize: 3,
      maxConcurrentBatches: 1,
    });
    for (const key of ["a", "b", "c", "d", "e", "f", "g", "h"]) track(batcher.load(key));
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a", "b", "c"]]);
    expect(batcher.queued).toBe(5);

    answer(calls[0]);
    await flush();
    expect(calls[1].keys).toEqual(["d", "e", "f"]);

    // i arrives while the only slot is busy: it completes the next batch instead of waiting.
    track(batcher.load("i"));
    expect(calls).toHaveLength(2);
    answer(calls[1]);
    await flush();
    expect(calls[2].keys).toEqual(["g", "h", "i"]);
    expect(Math.max(...calls.map((call) => call.keys.length))).toBe(3);
  });

  it("counts distinct keys, so a batch never holds a key twice", async () => {
    const { batcher, calls } = setup({ windowMs: 50, maxBatchSize: 2 });
    for (const key of ["a", "a", "a", "b"]) track(batcher.load(key));
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a", "b"]]);
  });
});

describe("de-duplication", () => {
  it("shares one slot and one result between loads of a queued key", async () => {
    const { batcher, calls, events, answer } = setup({ keyOf: (key) => key.toLowerCase() });
    const first = track(batcher.load("Paris"));
    const second = track(batcher.load("PARIS"));
    expect(batcher.queued).toBe(1);
    expect(eventsOf(events, "enqueued")).toEqual([
      { type: "enqueued", key: "paris", queued: 1, joined: false },
      { type: "enqueued", key: "paris", queued: 1, joined: true },
    ]);

    await vi.advanceTimersByTimeAsync(50);
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["Paris"]]);
    answer(calls[0]);
    await flush();
    expect(first.value).toBe(valueOf("Paris"));
    expect(second.value).toBe(valueOf("Paris"));
  });

  it("joins a key's batch while it is in flight instead of queueing it again", async () => {
    const { batcher, calls, events, answer } = setup();
    const first = track(batcher.load("a"));
    await vi.advanceTimersByTimeAsync(50);
    await flush();

    const second = track(batcher.load("a"));
    expect(batcher.queued).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(eventsOf(events, "enqueued")[1]).toMatchObject({ joined: true, queued: 0 });

    answer(calls[0]);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(1);
    expect(first.value).toBe(valueOf("a"));
    expect(second.value).toBe(valueOf("a"));
  });

  it("forgets a key once its batch settled", async () => {
    const { batcher, calls, answer } = setup();
    track(batcher.load("a"));
    await vi.advanceTimersByTimeAsync(50);
    answer(calls[0]);
    await flush();

    const again = track(batcher.load("a"));
    await vi.advanceTimersByTimeAsync(50);
    expect(calls.map((call) => call.keys)).toEqual([["a"], ["a"]]);
    calls[1].resolve(["fresh"]);
    await flush();
    expect(again.value).toBe("fresh");
  });
});

describe("results", () => {
  it("rejects only the waiters of a key whose result is an Error", async () => {
    const { batcher, calls, events } = setup();
    const a = track(batcher.load("a"));
    const b1 = track(batcher.load("b"));
    const b2 = track(batcher.load("b"));
    await vi.advanceTimersByTimeAsync(50);
    const notFound = new Error("not found");
    calls[0].resolve([valueOf("a"), notFound]);
    await flush();

    expect(a).toEqual({ status: "fulfilled", value: valueOf("a") });
    expect(b1).toEqual({ status: "rejected", reason: notFound });
    expect(b2).toEqual({ status: "rejected", reason: notFound });
    expect(eventsOf(events, "settled")[0]).toMatchObject({ size: 2, fulfilled: 1, rejected: 1 });
    expect(eventsOf(events, "settled")[0].error).toBeUndefined();
  });

  it.each([
    ["throws", () => Promise.reject(new RangeError("boom"))],
    [
      "throws synchronously",
      () => {
        throw new RangeError("boom");
      },
    ],
  ])("rejects every waiter with the batch's error when the batch function %s", async (_, batch) => {
    const { batcher, events } = setup({ batch });
    const loads = ["a", "b", "a"].map((key) => track(batcher.load(key)));
    await vi.advanceTimersByTimeAsync(50);
    await flush();
    for (const load of loads) {
      expect(load.status).toBe("rejected");
      expect(load.reason).toBeInstanceOf(RangeError);
    }
    expect(loads[0].reason).toBe(loads[1].reason);
    expect(eventsOf(events, "settled")[0]).toMatchObject({
      fulfilled: 0,
      rejected: 2,
      error: loads[0].reason,
    });
    expect(batcher.inFlight).toBe(0);
  });

  it("turns a thrown non-Error into an Error", async () => {
    const { batcher, calls } = setup();
    const a = track(batcher.load("a"));
    await vi.advanceTimersByTimeAsync(50);
    calls[0].reject("socket hang up");
    await flush();
    expect(a.reason).toBeInstanceOf(Error);
    expect((a.reason as Error).message).toMatch(/socket hang up/);
  });

  it.each([
    ["too few results", ["only one"], /must return 2 results, one per key; it returned 1$/],
    ["too many results", ["1", "2", "3"], /must return 2 results, one per key; it returned 3$/],
    ["no array", { length: 2 }, /must return 2 results, one per key; it returned no array$/],
    ["nothing", undefined, /must return 2 results, one per key; it returned no array$/],
  ])("rejects every waiter with a TypeError when it returns %s", async (_, results, message) => {
    const { batcher, calls } = setup();
    const loads = ["a", "b"].map((key) => track(batcher.load(key)));
    await vi.advanceTimersByTimeAsync(50);
    calls[0].resolve(results);
    await flush();
    for (const load of loads) {
      expect(load.status).toBe("rejected");
      expect(load.reason).toBeInstanceOf(TypeError);
      expect((load.reason as Error).message).toMatch(message);
    }
  });
});

describe("concurrency", () => {
  it("runs at most maxConcurrentBatches and sends waiting keys in order", async () => {
    const { batcher, calls, events, answer } = setup({
      windowMs: 10,
      maxBatchSize: 1,
      maxConcurrentBatches: 2,
    });
    const loads = ["a", "b", "c", "d", "e"].map((key) => track(batcher.load(key)));
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a"], ["b"]]);
    expect(batcher.inFlight).toBe(2);
    expect(batcher.queued).toBe(3);
    expect(vi.getTimerCount()).toBe(0);

    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);

    answer(calls[1]);
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a"], ["b"], ["c"]]);
    answer(calls[0]);
    await flush();
    expect(calls[3].keys).toEqual(["d"]);
    expect(Math.max(...eventsOf(events, "dispatched").map((event) => event.inFlight))).toBe(2);

    answer(calls[2]);
    answer(calls[3]);
    await flush();
    answer(calls[4]);
    await flush();
    expect(calls.map((call) => call.keys[0])).toEqual(["a", "b", "c", "d", "e"]);
    expect(loads.map((load) => load.value)).toEqual(["a", "b", "c", "d", "e"].map(valueOf));
  });

  it("cuts the next batch when the previous one releases its slot, with what arrived meanwhile", async () => {
    const { batcher, calls, answer } = setup({ windowMs: 10, maxConcurrentBatches: 1 });
    const first = track(batcher.load("a"));
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a"]]);

    // While the slot is held, keys queue up (and a load of "a" joins the batch in flight).
    const later = ["b", "c", "d", "a"].map((key) => track(batcher.load(key)));
    await vi.advanceTimersByTimeAsync(100);
    await flush();
    expect(calls).toHaveLength(1);

    calls[0].context.release();
    calls[0].context.release();
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a"], ["b", "c", "d"]]);
    expect(batcher.inFlight).toBe(2);

    // A released batch still settles its own keys, and settling it frees no second slot.
    answer(calls[0]);
    await flush();
    expect(first.value).toBe(valueOf("a"));
    expect(later[3].value).toBe(valueOf("a"));
    track(batcher.load("e"));
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(calls).toHaveLength(2);
    answer(calls[1]);
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([["a"], ["b", "c", "d"], ["e"]]);
  });

  it("defaults to four batches in flight", async () => {
    const { batcher, calls } = setup({ maxBatchSize: 1 });
    for (const key of ["a", "b", "c", "d", "e"]) track(batcher.load(key));
    await vi.advanceTimersByTimeAsync(50);
    await flush();
    expect(calls).toHaveLength(4);
  });
});
