import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type BatchContext,
  type BatcherEvent,
  type BatcherOptions,
  Batcher,
  BatcherClosedError,
} from "../../src/batching/batcher";

/** One call of the fake batch function, settled by the test. */
interface BatchCall {
  keys: string[];
  context: BatchContext;
  resolve: (results: unknown) => void;
  reject: (error: unknown) => void;
}

/** The value the fake batch function returns for a key. */
const valueOf = (key: string): string => `value of ${key}`;

interface Harness {
  batcher: Batcher<string, string>;
  calls: BatchCall[];
  events: BatcherEvent[];
  /** Answers a call with every key's value. */
  answer: (call: BatchCall) => void;
}

function setup(options: Partial<BatcherOptions<string, string>> = {}): Harness {
  const calls: BatchCall[] = [];
  const events: BatcherEvent[] = [];
  const batcher = new Batcher<string, string>({
    batch: (keys, context) =>
      new Promise((resolve, reject) => {
        calls.push({ keys: [...keys], context, resolve: resolve as BatchCall["resolve"], reject });
      }),
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { batcher, calls, events, answer: (call) => call.resolve(call.keys.map(valueOf)) };
}

/** Observes a promise without ever leaving a rejection unhandled. */
interface Outcome<T> {
  status: "pending" | "fulfilled" | "rejected";
  value?: T;
  reason?: unknown;
}
function track<T>(promise: Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { status: "pending" };
  promise.then(
    (value) => Object.assign(outcome, { status: "fulfilled", value }),
    (reason: unknown) => Object.assign(outcome, { status: "rejected", reason })
  );
  return outcome;
}

/** Runs pending microtasks: the batch function is called, and results delivered, from them. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function eventsOf<T extends BatcherEvent["type"]>(
  events: BatcherEvent[],
  type: T
): Extract<BatcherEvent, { type: T }>[] {
  return events.filter((event): event is Extract<BatcherEvent, { type: T }> => event.type === type);
}

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
