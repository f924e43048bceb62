// A large recalculation streaming into the batcher: full batches are cut at once whatever the
// slots (partial ones still wait for a slot), and after a full batch the next window is the
// stretched one, so a page too busy to hand cells over within one window still fills whole jobs.

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
    expect(() => new Batcher({ batch: async () => [], windowAfterFullMs: Number.NaN })).toThrow(
      RangeError
    );
  });
});
