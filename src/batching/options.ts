// What a Batcher is given and gives its batch function: the options with their defaults and
// ranges, the batch function's context, and the error of a closed batcher.

import type { BatcherEvent } from "./events";

/** What a batch function receives besides its keys. */
export interface BatchContext {
  /** Aborted when no waiter wants any key of this batch any more, or when the batcher closes.
   * The batch function decides what to stop; its late result is ignored either way. */
  signal: AbortSignal;
  /** Increases by one per batch, from 1; matches the telemetry events. */
  batchId: number;
  /** Frees the batch's concurrency slot before it settles; its keys can still be joined. */
  release(): void;
}

/** Resolves one batch: one value or Error per key, same order and length as `keys`. */
export type BatchFunction<K, V> = (
  keys: readonly K[],
  context: BatchContext
) => Promise<ReadonlyArray<V | Error>>;

export interface BatcherOptions<K, V> {
  batch: BatchFunction<K, V>;
  /** How long the first key of a batch waits for others. Default 50 ms. */
  windowMs?: number;
  /** While new keys keep arriving, the window lasts until it has seen none for as long as it
   * first lasted (a debounce; see window.ts), but no longer than this after the batch's first
   * key: a recalculation that hands its cells over for longer than one window then fills whole
   * batches instead of cutting a partial one per window. Default windowMs: it never runs on. */
  maxWindowMs?: number;
  /** Most keys in one batch (Geoapify's job limit is 1,000). Default 1000. */
  maxBatchSize?: number;
  /** Most batches in flight at once; further ready keys wait, in order. Default 4. */
  maxConcurrentBatches?: number;
  /** Whether a full batch is cut even while every slot is taken (it takes a slot all the same,
   * so partial batches still wait). A full batch cannot grow, so waiting would only delay it.
   * Default false. */
  fullBatchesSkipTheQueue?: boolean;
  /** The window of a batch whose first key arrives soon after a full batch was cut: at least
   * this long, or twice the time the full batch took to fill (at most 5× this): keys streaming
   * in (a large recalculation) then fill whole batches even when the page is too busy to hand
   * them over within windowMs. Default windowMs. */
  windowAfterFullMs?: number;
  /** Numbers the batches (BatchContext.batchId, events). Default 1, 2, 3… per batcher; pass a
   * shared counter when several batchers report to one telemetry stream. */
  nextBatchId?: () => number;
  /** Identity used for de-duplication. Default: String(key). */
  keyOf?: (key: K) => string;
  /** Telemetry sink; a throwing listener must never break the batcher. */
  onEvent?: (event: BatcherEvent) => void;
}

/** The rejection of every pending and later load once close() was called without a reason. */
export class BatcherClosedError extends Error {
  override readonly name = "BatcherClosedError";

  constructor(message = "The batcher was closed") {
    super(message);
  }
}

/** The numeric options with their defaults, checked. */
export function settleOptions<K, V>(options: BatcherOptions<K, V>) {
  const windowMs = options.windowMs ?? 50;
  const windowAfterFullMs = options.windowAfterFullMs ?? windowMs;
  const maxWindowMs = options.maxWindowMs ?? windowMs;
  const maxBatchSize = options.maxBatchSize ?? 1000;
  const maxConcurrentBatches = options.maxConcurrentBatches ?? 4;
  // setTimeout fires at once for delays it cannot represent, silently disabling the window.
  for (const [name, ms] of [
    ["windowMs", windowMs],
    ["windowAfterFullMs", windowAfterFullMs],
    ["maxWindowMs", maxWindowMs],
  ] as const) {
    if (!(ms >= 0 && ms <= 2 ** 31 - 1)) {
      throw new RangeError(`${name} must be between 0 and 2^31-1, got ${ms}`);
    }
  }
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
  }
  if (!Number.isInteger(maxConcurrentBatches) || maxConcurrentBatches < 1) {
    throw new RangeError(
      `maxConcurrentBatches must be a positive integer, got ${maxConcurrentBatches}`
    );
  }
  return { windowMs, windowAfterFullMs, maxWindowMs, maxBatchSize, maxConcurrentBatches };
}
