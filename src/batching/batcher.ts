// A generic request batcher, modelled on DataLoader: callers ask for one key at a time and the
// batcher answers them together with one call to a batch function.
//
// Contract
// - load(key) returns a promise for that key's value. Loads whose keyOf(key) is equal share one
//   slot and one result, both while the key is queued and while its batch is in flight.
// - The first key into an empty queue opens a window of windowMs (longer while a large
//   recalculation streams in: see window.ts); when it ends, queued keys are sent. A queue holding
//   maxBatchSize keys is sent at once. At most maxConcurrentBatches
//   batches hold a slot at once (a full one may pass: fullBatchesSkipTheQueue); other keys wait
//   in arrival order and leave when a slot frees: a
//   batch frees its slot when it settles, or earlier through context.release() (its work was
//   handed on), so keys that arrive meanwhile fill the next batch instead of a string of small ones.
// - Each waiter settles exactly once: with its key's value, with its key's Error, with the batch's
//   failure, with its own signal's reason, or with the close() reason.
// - Nothing is cached: once a key's batch settles, the key is forgotten.
// - No timer exists while nothing is queued, so an idle batcher costs nothing and keeps no
//   process alive.

import type { BatcherEvent } from "./events";
import {
  BatcherClosedError,
  settleOptions,
  type BatchContext,
  type BatchFunction,
  type BatcherOptions,
} from "./options";
import { Waiter } from "./waiter";
import { BatchWindow } from "./window";

export { BatcherClosedError } from "./options";
export type { BatchContext, BatchFunction, BatcherOptions } from "./options";
export type { BatcherEvent } from "./events";

/** One distinct key, from its first load until its batch settles. */
type EntryWaiter<K, V> = Waiter<Entry<K, V>, V>;

interface Entry<K, V> {
  readonly key: K;
  readonly id: string;
  readonly enqueuedAt: number;
  readonly waiters: Set<EntryWaiter<K, V>>;
  /** Set at dispatch. */
  batch: Batch<K, V> | undefined;
}

interface Batch<K, V> {
  readonly id: number;
  readonly entries: Entry<K, V>[];
  readonly controller: AbortController;
  readonly startedAt: number;
  holdsSlot: boolean;
  /** Waiters across all entries; at zero the batch's signal is aborted. */
  waiterCount: number;
}

export class Batcher<K, V> {
  private readonly batchFn: BatchFunction<K, V>;
  private readonly maxBatchSize: number;
  private readonly maxConcurrentBatches: number;
  private readonly fullBatchesSkipTheQueue: boolean;
  private readonly batchWindow: BatchWindow;
  private readonly keyOf: (key: K) => string;
  private readonly onEvent: ((event: BatcherEvent) => void) | undefined;

  /** Keys waiting for dispatch. A Map keeps insertion order, so it is also the FIFO queue, with
   * O(1) lookup for de-duplication and O(1) removal when a key's last waiter cancels. */
  private readonly queue = new Map<string, Entry<K, V>>();
  /** Keys whose batch is in flight and not aborted, so new loads can join them. */
  private readonly sent = new Map<string, Entry<K, V>>();
  /** Batches whose batch function has not settled, aborted ones included: they hold a slot
   * until the batch function honours its signal. */
  private readonly activeBatches = new Set<Batch<K, V>>();
  private slotsInUse = 0;
  /** Armed while the queue's oldest key is inside its window. Undefined while keys are queued
   * means the window has elapsed and they leave as soon as a slot frees. */
  private windowTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly nextBatchId: () => number;
  private closeReason: Error | undefined;

  constructor(options: BatcherOptions<K, V>) {
    const settled = settleOptions(options);
    this.batchFn = options.batch;
    this.maxBatchSize = settled.maxBatchSize;
    this.maxConcurrentBatches = settled.maxConcurrentBatches;
    this.fullBatchesSkipTheQueue = options.fullBatchesSkipTheQueue ?? false;
    this.batchWindow = new BatchWindow(
      settled.windowMs,
      settled.windowAfterFullMs,
      settled.maxWindowMs
    );
    this.keyOf = options.keyOf ?? String;
    let lastBatchId = 0;
    this.nextBatchId = options.nextBatchId ?? (() => ++lastBatchId);
    this.onEvent = options.onEvent;
  }

  /** Distinct keys waiting for dispatch. */
  get queued(): number {
    return this.queue.size;
  }

  /** Batch functions that have not settled yet. */
  get inFlight(): number {
    return this.activeBatches.size;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Never throws: every failure, keyOf's included, arrives as a rejection. */
  load(key: K, options?: { signal?: AbortSignal }): Promise<V> {
    if (this.closeReason !== undefined) return Promise.reject(this.closeReason);
    let id: string;
    try {
      id = this.keyOf(key);
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = options?.signal;
    if (signal?.aborted) {
      this.emit({ type: "cancelled", key: id, dropped: false });
      return Promise.reject(signal.reason);
    }

    let entry = this.queue.get(id) ?? this.sent.get(id);
    const joined = entry !== undefined;
    if (entry === undefined) {
      entry = { key, id, enqueuedAt: performance.now(), waiters: new Set(), batch: undefined };
      this.queue.set(id, entry);
      const first = this.queue.size === 1;
      const windowMs = this.batchWindow.keyQueued(entry.enqueuedAt, first);
      if (first) this.windowTimer = setTimeout(this.onWindowElapsed, windowMs);
    }
    const slot = entry;
    const promise = new Promise<V>((resolve, reject) => {
      slot.waiters.add(
        new Waiter<Entry<K, V>, V>(slot, resolve, reject, signal, this.cancelWaiter)
      );
    });
    if (slot.batch !== undefined) slot.batch.waiterCount++;
    this.emit({ type: "enqueued", key: id, queued: this.queue.size, joined });

    if (this.queue.size >= this.maxBatchSize) this.dispatchReady();
    return promise;
  }

  /** Rejects every pending waiter with `reason` (default: a BatcherClosedError) and every later
   * load too; aborts in-flight batches. Idempotent. */
  close(reason?: Error): void {
    if (this.closeReason !== undefined) return;
    const error = reason ?? new BatcherClosedError();
    this.closeReason = error;
    this.clearWindowTimer();

    let settled = 0;
    for (const entry of this.queue.values()) settled += failWaiters(entry, error);
    this.queue.clear();
    // Aborted batches are in this set too; they have no waiters left and aborting is idempotent.
    for (const batch of this.activeBatches) {
      for (const entry of batch.entries) settled += failWaiters(entry, error);
      batch.waiterCount = 0;
      batch.controller.abort(error);
    }
    this.sent.clear();
    this.emit({ type: "closed", settled });
  }

  // Bound once here so that timers and abort listeners never allocate per call.
  private readonly onWindowElapsed = (): void => {
    this.windowTimer = undefined;
    const first = this.queue.values().next().value;
    const runsOnMs = first ? this.batchWindow.runsOnMs(first.enqueuedAt, performance.now()) : 0;
    if (runsOnMs > 0) {
      this.windowTimer = setTimeout(this.onWindowElapsed, runsOnMs);
      return;
    }
    this.dispatchReady();
  };

  private readonly cancelWaiter = (waiter: EntryWaiter<K, V>): void => {
    // A settled waiter has already removed this listener, so the waiter is still pending here.
    const entry = waiter.entry;
    const reason: unknown = waiter.signal?.reason;
    entry.waiters.delete(waiter);
    waiter.fail(reason);

    let dropped = false;
    const batch = entry.batch;
    if (batch === undefined) {
      if (entry.waiters.size === 0) {
        this.queue.delete(entry.id);
        dropped = true;
        if (this.queue.size === 0) this.clearWindowTimer();
      }
    } else if (--batch.waiterCount === 0) {
      // Nobody wants any of this batch's keys: tell the batch function (what stopping means is
      // its call: work it has not started can be dropped, work already paid for may go on), and
      // make new loads of its keys start afresh rather than join a batch nobody waits for.
      this.forgetSent(batch);
      batch.controller.abort(reason);
      dropped = true;
    }
    this.emit({ type: "cancelled", key: entry.id, dropped });
  };

  /**
   * Sends batches while a slot is free and the queue is ready: either it holds a full batch, or
   * its window has elapsed. Batches are cut here rather than at enqueue time, so keys that arrive
   * while every slot is busy fill the next batch up to maxBatchSize.
   */
  private dispatchReady(): void {
    for (;;) {
      const full = this.queue.size >= this.maxBatchSize;
      const ready = full || (this.queue.size > 0 && this.windowTimer === undefined);
      const slotFree = this.slotsInUse < this.maxConcurrentBatches;
      if (!ready || !(slotFree || (full && this.fullBatchesSkipTheQueue))) break;
      this.dispatchBatch();
    }
    if (this.queue.size === 0) this.clearWindowTimer();
  }

  private dispatchBatch(): void {
    const now = performance.now();
    const batch: Batch<K, V> = {
      id: this.nextBatchId(),
      entries: [],
      controller: new AbortController(),
      startedAt: now,
      holdsSlot: true,
      waiterCount: 0,
    };
    const keys: K[] = [];
    let totalWaitMs = 0;
    for (const entry of this.queue.values()) {
      if (keys.length === this.maxBatchSize) break;
      // Deleting the current entry while iterating a Map is well defined: iteration continues
      // with the next one.
      this.queue.delete(entry.id);
      this.sent.set(entry.id, entry);
      entry.batch = batch;
      batch.entries.push(entry);
      batch.waiterCount += entry.waiters.size;
      keys.push(entry.key);
      totalWaitMs += now - entry.enqueuedAt;
    }
    if (keys.length === this.maxBatchSize) {
      this.batchWindow.fullBatchCut(batch.entries[0].enqueuedAt, now);
    }
    this.activeBatches.add(batch);
    this.slotsInUse++;
    this.emit({
      type: "dispatched",
      batchId: batch.id,
      size: keys.length,
      waiters: batch.waiterCount,
      // The queue is FIFO, so the first key is the one that waited longest.
      maxWaitMs: now - batch.entries[0].enqueuedAt,
      meanWaitMs: totalWaitMs / keys.length,
      inFlight: this.activeBatches.size,
      queued: this.queue.size,
    });

    const context: BatchContext = {
      signal: batch.controller.signal,
      batchId: batch.id,
      release: () => this.releaseSlot(batch),
    };
    // Calling the batch function from a microtask keeps it out of load()'s call stack: a batch
    // function that throws synchronously, or calls load() or close(), cannot corrupt a dispatch
    // that is still in progress.
    Promise.resolve()
      .then(() => this.batchFn(keys, context))
      .then(
        (results) => this.settleBatch(batch, results),
        (error: unknown) => this.failBatch(batch, toError(error))
      );
  }

  private settleBatch(batch: Batch<K, V>, results: ReadonlyArray<V | Error>): void {
    const size = batch.entries.length;
    if (!Array.isArray(results) || results.length !== size) {
      const got = Array.isArray(results) ? `${results.length}` : "no array";
      const message = `The batch function must return ${size} results, one per key`;
      this.failBatch(batch, new TypeError(`${message}; it returned ${got}`));
      return;
    }
    let rejected = 0;
    for (let i = 0; i < size; i++) {
      const entry = batch.entries[i];
      const result = results[i];
      if (result instanceof Error) {
        rejected++;
        failWaiters(entry, result);
      } else {
        for (const waiter of entry.waiters) waiter.fulfil(result);
        entry.waiters.clear();
      }
    }
    this.finishBatch(batch, size - rejected, rejected, undefined);
  }

  private failBatch(batch: Batch<K, V>, error: Error): void {
    for (const entry of batch.entries) failWaiters(entry, error);
    this.finishBatch(batch, 0, batch.entries.length, error);
  }

  /** Forgets the batch's keys and frees its slot for the next ready keys. An aborted batch has
   * no waiters left, so settling it above changed nothing: its late result is ignored. */
  private finishBatch(
    batch: Batch<K, V>,
    fulfilled: number,
    rejected: number,
    error: Error | undefined
  ): void {
    this.forgetSent(batch);
    this.activeBatches.delete(batch);
    this.freeSlot(batch);
    this.emit({
      type: "settled",
      batchId: batch.id,
      size: batch.entries.length,
      durationMs: performance.now() - batch.startedAt,
      fulfilled,
      rejected,
      ...(error === undefined ? {} : { error }),
    });
    this.dispatchReady();
  }

  private releaseSlot(batch: Batch<K, V>): void {
    if (this.freeSlot(batch) && this.closeReason === undefined) this.dispatchReady();
  }

  /** Returns whether the batch still held its slot. */
  private freeSlot(batch: Batch<K, V>): boolean {
    if (!batch.holdsSlot) return false;
    batch.holdsSlot = false;
    this.slotsInUse--;
    return true;
  }

  /** Stops new loads from joining the batch. The identity check matters once a batch was
   * aborted: a newer entry for the same key may have been sent since. */
  private forgetSent(batch: Batch<K, V>): void {
    for (const entry of batch.entries) {
      if (this.sent.get(entry.id) === entry) this.sent.delete(entry.id);
    }
  }

  private clearWindowTimer(): void {
    if (this.windowTimer === undefined) return;
    clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
  }

  private emit(event: BatcherEvent): void {
    if (this.onEvent === undefined) return;
    try {
      this.onEvent(event);
    } catch {
      // Telemetry is best effort: a broken listener must not strand a waiter.
    }
  }
}

/** Rejects and forgets every waiter of `entry`; returns how many there were. */
function failWaiters<K, V>(entry: Entry<K, V>, reason: unknown): number {
  const count = entry.waiters.size;
  for (const waiter of entry.waiters) waiter.fail(reason);
  entry.waiters.clear();
  return count;
}

/** A batch function may throw anything; waiters and telemetry get an Error. */
function toError(thrown: unknown): Error {
  return thrown instanceof Error
    ? thrown
    : new Error(`The batch function failed: ${String(thrown)}`);
}
