// A large recalculation streaming into the batcher: full batches are cut at once whatever the
// slots (partial ones still wait for a slot), and after a full batch the next window is the
// stretched one, so a page too busy to hand cells over within one window still fills whole jobs;
// and while new keys keep arriving the window runs on (a debounce bounded by maxWindowMs).

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Batcher } from "../../src/batching/batcher";
import { flush, setup, track } from "./support/batcher-harness";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const keys = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => `k${from + index}`);

describe("full batches skip the queue", () => {
  it("cuts every full batch at once while the one slot is taken, and holds partial ones back", async () => {
    const { batcher, calls, answer } = setup({
      windowMs: 10,
      maxBatchSize: 3,
      maxConcurrentBatches: 1,
      fullBatchesSkipTheQueue: true,
    });
    const loads = keys(0, 8).map((key) => track(batcher.load(key)));
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([keys(0, 3), keys(3, 3)]);

    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(2);
    calls[0].context.release();
    await flush();
    // One slot, still held by the second full batch.
    expect(calls).toHaveLength(2);
    calls[1].context.release();
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([keys(0, 3), keys(3, 3), keys(6, 2)]);
    calls.forEach(answer);
    await flush();
    expect(loads.every((load) => load.status === "fulfilled")).toBe(true);
  });

  it("without the option, a full batch waits for a slot like any other", async () => {
    const { batcher, calls } = setup({ windowMs: 10, maxBatchSize: 3, maxConcurrentBatches: 1 });
    keys(0, 6).forEach((key) => void batcher.load(key).catch(() => {}));
    await flush();
    expect(calls).toHaveLength(1);
    batcher.close();
  });
});

describe("the window after a full batch", () => {
  it("is stretched for the batch that follows a full one, and back to normal after a pause", async () => {
    const { batcher, calls } = setup({
      windowMs: 10,
      windowAfterFullMs: 40,
      maxBatchSize: 3,
      maxConcurrentBatches: 4,
    });
    const later = (key: string) => void batcher.load(key).catch(() => {});
    keys(0, 4).forEach(later);
    await flush();
    expect(calls).toHaveLength(1);
    // The 4th key came right after a full cut: it waits the stretched window.
    await vi.advanceTimersByTimeAsync(30);
    later("k4");
    await flush();
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(calls.map((call) => call.keys)).toEqual([keys(0, 3), ["k3", "k4"]]);

    // Long after: a single key waits the plain window.
    await vi.advanceTimersByTimeAsync(1_000);
    later("k9");
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(calls.at(-1)?.keys).toEqual(["k9"]);
    batcher.close();
  });

  it("grows with a page slow to hand keys over: twice the last full batch's filling time", async () => {
    const { batcher, calls } = setup({
      windowMs: 10,
      windowAfterFullMs: 40,
      maxBatchSize: 2,
      maxConcurrentBatches: 4,
    });
    const later = (key: string) => void batcher.load(key).catch(() => {});
    later("a");
    later("b");
    await vi.advanceTimersByTimeAsync(1);
    later("c");
    await vi.advanceTimersByTimeAsync(34);
    later("d");
    await vi.advanceTimersByTimeAsync(1);
    // [c, d] took 34 ms to fill: the next batch waits up to 68 ms, not 40.
    later("e");
    await vi.advanceTimersByTimeAsync(67);
    expect(calls.map((call) => call.keys)).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.at(-1)?.keys).toEqual(["e"]);
    batcher.close();
  });

  it("refuses a window it cannot time", () => {
    expect(() => new Batcher({ batch: async () => [], maxWindowMs: -1 })).toThrow(RangeError);
    expect(() => new Batcher({ batch: async () => [], windowAfterFullMs: Number.NaN })).toThrow(
      RangeError
    );
  });
});

describe("the window while new keys keep arriving", () => {
  const arriveEvery = async (batcher: Batcher<string, string>, ms: number, names: string[]) => {
    for (const key of names) {
      void batcher.load(key).catch(() => {});
      await vi.advanceTimersByTimeAsync(ms);
    }
  };

  it("runs on until a window without a new key, so a streaming sheet fills one batch", async () => {
    const { batcher, calls } = setup({ windowMs: 10, maxWindowMs: 100 });
    // A new key every 6 ms for 42 ms: no 10 ms passes without one.
    await arriveEvery(batcher, 6, keys(0, 8));
    expect(calls).toHaveLength(0);
    // Now 48 ms. A repeated key is not a new one: the window still ends 10 ms after k7 (42 ms).
    void batcher.load("k0").catch(() => {});
    await vi.advanceTimersByTimeAsync(3);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((call) => call.keys)).toEqual([keys(0, 8)]);
    batcher.close();
  });

  it("ends at maxWindowMs after the first key however long keys keep coming", async () => {
    const { batcher, calls } = setup({ windowMs: 10, maxWindowMs: 30 });
    await arriveEvery(batcher, 5, keys(0, 8));
    // Keys 0-5 arrived at 0-25 ms; the window ended at 30 ms and key 6 opened the next one.
    expect(calls.map((call) => call.keys)).toEqual([keys(0, 6)]);
    await vi.advanceTimersByTimeAsync(20);
    expect(calls.map((call) => call.keys)).toEqual([keys(0, 6), keys(6, 2)]);
    batcher.close();
  });

  it("keeps a lone key's window, and by default never runs on", async () => {
    const lone = setup({ windowMs: 10, maxWindowMs: 100 });
    void lone.batcher.load("only").catch(() => {});
    await vi.advanceTimersByTimeAsync(10);
    expect(lone.calls.map((call) => call.keys)).toEqual([["only"]]);
    lone.batcher.close();

    const plain = setup({ windowMs: 10 });
    await arriveEvery(plain.batcher, 4, keys(0, 4));
    expect(plain.calls.map((call) => call.keys)).toEqual([keys(0, 3)]);
    plain.batcher.close();
  });
});
