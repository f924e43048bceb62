// The batcher: cancellation, close, events, and settling exactly once.

import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type BatcherEvent, BatcherClosedError } from "../../src/batching/batcher";
import { setup, track, flush, eventsOf, valueOf } from "./support/batcher-harness";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("cancellation", () => {
  it("rejects a load whose signal is already aborted and queues nothing", async () => {
    const { batcher, calls, events } = setup();
    const reason = new Error("gone");
    const load = track(batcher.load("a", { signal: AbortSignal.abort(reason) }));
    await flush();
    expect(load).toEqual({ status: "rejected", reason });
    expect(batcher.queued).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(0);
    expect(events).toEqual([{ type: "cancelled", key: "a", dropped: false }]);
  });

  it("drops a queued key whose only waiter aborted, and clears the window", async () => {
    const { batcher, calls, events } = setup();
    const controller = new AbortController();
    const load = track(batcher.load("a", { signal: controller.signal }));
    controller.abort();
    await flush();

    expect(load.status).toBe("rejected");
    expect(load.reason).toBe(controller.signal.reason);
    expect(batcher.queued).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(0);
    expect(eventsOf(events, "cancelled")).toEqual([{ type: "cancelled", key: "a", dropped: true }]);
  });

  it("keeps the window for the keys still queued", async () => {
    const { batcher, calls } = setup();
    const controller = new AbortController();
    track(batcher.load("a", { signal: controller.signal }));
    track(batcher.load("b"));
    controller.abort();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(calls.map((call) => call.keys)).toEqual([["b"]]);
  });

  it("keeps waiters independent: one abort leaves the other waiter and the key", async () => {
    // Excel may deliver the cancellation of a cell's old call after the cell's new call.
    const { batcher, calls, events, answer } = setup();
    const first = new AbortController();
    const second = new AbortController();
    const cancelled = track(batcher.load("a", { signal: first.signal }));
    const kept = track(batcher.load("a", { signal: second.signal }));
    first.abort();
    expect(batcher.queued).toBe(1);
    expect(eventsOf(events, "cancelled")).toEqual([
      { type: "cancelled", key: "a", dropped: false },
    ]);

    await vi.advanceTimersByTimeAsync(50);
    expect(calls.map((call) => call.keys)).toEqual([["a"]]);
    answer(calls[0]);
    await flush();
    expect(cancelled.reason).toBe(first.signal.reason);
    expect(kept).toEqual({ status: "fulfilled", value: valueOf("a") });
  });

  it("rejects a waiter aborted in flight but keeps the batch while others wait", async () => {
    const { batcher, calls, answer } = setup();
    const controller = new AbortController();
    const aborted = track(batcher.load("a", { signal: controller.signal }));
    const a = track(batcher.load("a"));
    const b = track(batcher.load("b"));
    await vi.advanceTimersByTimeAsync(50);
    controller.abort();
    await flush();
    expect(aborted.reason).toBe(controller.signal.reason);
    expect(calls[0].context.signal.aborted).toBe(false);

    answer(calls[0]);
    await flush();
    expect(a.value).toBe(valueOf("a"));
    expect(b.value).toBe(valueOf("b"));
  });

  it("counts a waiter that joined in flight, so the batch outlives the first waiter", async () => {
    const { batcher, calls, answer } = setup();
    const first = new AbortController();
    const second = new AbortController();
    track(batcher.load("a", { signal: first.signal }));
    await vi.advanceTimersByTimeAsync(50);
    const joined = track(batcher.load("a", { signal: second.signal }));
    first.abort();
    expect(calls[0].context.signal.aborted).toBe(false);
    answer(calls[0]);
    await flush();
    expect(joined).toEqual({ status: "fulfilled", value: valueOf("a") });
  });

  it("aborts a batch once no waiter is left and ignores its late result", async () => {
    const { batcher, calls, events, answer } = setup({ maxConcurrentBatches: 1 });
    const first = new AbortController();
    const second = new AbortController();
    const a = track(batcher.load("a", { signal: first.signal }));
    const b = track(batcher.load("b", { signal: second.signal }));
    await vi.advanceTimersByTimeAsync(50);
    await flush();
    const context = calls[0].context;
    first.abort();
    expect(context.signal.aborted).toBe(false);
    second.abort(new Error("cell deleted"));
    expect(context.signal.aborted).toBe(true);
    expect(context.signal.reason).toBe(second.signal.reason);
    expect(eventsOf(events, "cancelled").map((event) => event.dropped)).toEqual([false, true]);

    // A new load of an aborted batch's key starts afresh; it waits for the slot the aborted
    // batch holds until its function settles.
    const again = track(batcher.load("a"));
    await vi.advanceTimersByTimeAsync(50);
    expect(calls).toHaveLength(1);
    expect(batcher.inFlight).toBe(1);

    calls[0].resolve(["stale a", "stale b"]);
    await flush();
    expect(a.reason).toBe(first.signal.reason);
    expect(b.reason).toBe(second.signal.reason);
    expect(calls.map((call) => call.keys)).toEqual([["a", "b"], ["a"]]);
    answer(calls[1]);
    await flush();
    expect(again.value).toBe(valueOf("a"));
  });

  it("removes its abort listeners when a waiter settles", async () => {
    const { batcher, calls } = setup();
    const signal = new AbortController().signal;
    track(batcher.load("a", { signal }));
    track(batcher.load("b", { signal }));
    track(batcher.load("c", { signal }));
    expect(getEventListeners(signal, "abort")).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(50);
    calls[0].resolve([valueOf("a"), new Error("no b"), valueOf("c")]);
    await flush();
    expect(getEventListeners(signal, "abort")).toHaveLength(0);

    track(batcher.load("d", { signal }));
    await vi.advanceTimersByTimeAsync(50);
    calls[1].reject(new Error("down"));
    await flush();
    track(batcher.load("e", { signal }));
    batcher.close();
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });
});

describe("close", () => {
  it("rejects queued and in-flight waiters, aborts batches and clears the timer", async () => {
    const { batcher, calls, events } = setup({ maxBatchSize: 2, maxConcurrentBatches: 1 });
    const sent = [track(batcher.load("a")), track(batcher.load("b")), track(batcher.load("a"))];
    const queued = [track(batcher.load("c")), track(batcher.load("d")), track(batcher.load("e"))];
    await flush();
    expect(calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(1);

    batcher.close();
    await flush();
    expect(vi.getTimerCount()).toBe(0);
    expect(calls[0].context.signal.aborted).toBe(true);
    for (const load of [...sent, ...queued]) {
      expect(load.status).toBe("rejected");
      expect(load.reason).toBeInstanceOf(BatcherClosedError);
      expect((load.reason as Error).message).toBe("The batcher was closed");
    }
    expect(calls[0].context.signal.reason).toBe(sent[0].reason);
    expect(events.at(-1)).toEqual({ type: "closed", settled: 6 });
    expect(batcher.closed).toBe(true);
    expect(batcher.queued).toBe(0);

    // The batch function still holds its slot until it settles; its result is ignored.
    expect(batcher.inFlight).toBe(1);
    calls[0].resolve(["late a", "late b"]);
    await flush();
    expect(batcher.inFlight).toBe(0);
    expect(sent[0].reason).toBeInstanceOf(BatcherClosedError);
    expect(vi.getTimerCount()).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it("uses the given reason, rejects later loads and is idempotent", async () => {
    const { batcher, events } = setup();
    const reason = new Error("add-in unloading");
    const before = track(batcher.load("a"));
    batcher.close(reason);
    batcher.close(new Error("again"));
    const after = track(batcher.load("b"));
    await flush();
    expect(before.reason).toBe(reason);
    expect(after.reason).toBe(reason);
    expect(eventsOf(events, "closed")).toEqual([{ type: "closed", settled: 1 }]);
    expect(batcher.queued).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("events", () => {
  it("reports a batch's life in order", async () => {
    const { batcher, calls, events } = setup({ keyOf: (key) => key.trim() });
    track(batcher.load(" a"));
    await vi.advanceTimersByTimeAsync(10);
    track(batcher.load("b"));
    track(batcher.load("a "));
    await vi.advanceTimersByTimeAsync(40);
    await vi.advanceTimersByTimeAsync(25);
    calls[0].resolve([valueOf("a"), new Error("no b")]);
    await flush();

    expect(events).toEqual([
      { type: "enqueued", key: "a", queued: 1, joined: false },
      { type: "enqueued", key: "b", queued: 2, joined: false },
      { type: "enqueued", key: "a", queued: 2, joined: true },
      {
        type: "dispatched",
        batchId: 1,
        size: 2,
        waiters: 3,
        maxWaitMs: 50,
        meanWaitMs: 45,
        inFlight: 1,
        queued: 0,
      },
      {
        type: "settled",
        batchId: 1,
        size: 2,
        durationMs: 25,
        fulfilled: 1,
        rejected: 1,
      },
    ]);
    expect(calls[0].context.batchId).toBe(1);
  });

  it("ignores a listener that throws", async () => {
    const onEvent = vi.fn((_event: BatcherEvent): void => {
      throw new Error("telemetry down");
    });
    const { batcher, calls, answer } = setup({ onEvent });
    const controller = new AbortController();
    const cancelled = track(batcher.load("x", { signal: controller.signal }));
    controller.abort();
    const a = track(batcher.load("a"));
    await vi.advanceTimersByTimeAsync(50);
    answer(calls[0]);
    await flush();
    const closedLater = track(batcher.load("b"));
    batcher.close();
    await flush();

    expect(cancelled.status).toBe("rejected");
    expect(a.value).toBe(valueOf("a"));
    expect(closedLater.reason).toBeInstanceOf(BatcherClosedError);
    expect(onEvent.mock.calls.map(([event]) => event.type)).toEqual([
      "enqueued",
      "cancelled",
      "enqueued",
      "dispatched",
      "settled",
      "enqueued",
      "closed",
    ]);
  });
});

describe("settling exactly once", () => {
  it("lets neither a late abort nor close() touch a settled waiter", async () => {
    const { batcher, calls, events, answer } = setup();
    const controller = new AbortController();
    const load = track(batcher.load("a", { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(50);
    answer(calls[0]);
    await flush();
    controller.abort();
    batcher.close();
    await flush();

    expect(load).toEqual({ status: "fulfilled", value: valueOf("a") });
    expect(eventsOf(events, "cancelled")).toEqual([]);
    expect(eventsOf(events, "closed")).toEqual([{ type: "closed", settled: 0 }]);
  });

  it("settles every one of 10,000 loads of 2,500 keys", async () => {
    const { batcher, calls, answer } = setup({ maxBatchSize: 1000 });
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i % 2500}`);
    const loads = keys.map((key) => track(batcher.load(key)));
    await flush();
    expect(calls.map((call) => call.keys.length)).toEqual([1000, 1000]);
    // The first 2,000 loads filled two batches at once; the rest join them.
    expect(batcher.queued).toBe(500);
    await vi.advanceTimersByTimeAsync(50);
    expect(calls.map((call) => call.keys.length)).toEqual([1000, 1000, 500]);
    calls.forEach(answer);
    await flush();
    expect(loads.every((load, i) => load.value === valueOf(keys[i]))).toBe(true);
  });
});
