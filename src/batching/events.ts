// What a Batcher reports as it works: one event per load, dispatch, settlement, cancellation
// and close, for telemetry. Listeners must not throw; the batcher ignores them if they do.

/** Telemetry. `key` is always the keyOf string; times are milliseconds. */
export type BatcherEvent =
  /** joined: the load shared a slot with an earlier load of the same key (queued or in flight). */
  | { type: "enqueued"; key: string; queued: number; joined: boolean }
  /** Wait times are measured per key, from its first load to this dispatch. */
  | {
      type: "dispatched";
      batchId: number;
      size: number;
      waiters: number;
      maxWaitMs: number;
      meanWaitMs: number;
      inFlight: number;
      queued: number;
    }
  /** fulfilled + rejected === size, counted by what the batch function returned; error is set
   * when the whole batch failed (then rejected === size). */
  | {
      type: "settled";
      batchId: number;
      size: number;
      durationMs: number;
      fulfilled: number;
      rejected: number;
      error?: Error;
    }
  /** dropped: this cancellation took the key out of the queue (it is never sent) or aborted its
   * batch (no waiter was left for any of its keys). */
  | { type: "cancelled"; key: string; dropped: boolean }
  /** settled: how many waiters close() rejected. */
  | { type: "closed"; settled: number };
