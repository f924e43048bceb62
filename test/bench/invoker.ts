// Calls a custom function once per cell the way Excel does during a recalculation: many calls
// per task, the next chunk in a later macrotask, and every call in flight at once. Nothing waits
// for a cell before invoking the next one.

/** Calls per macrotask; Excel hands a recalculation to the runtime in chunks of this order. */
export const CALLS_PER_TASK = 500;

export interface SheetRun {
  /** performance.now() when each cell was invoked and when it settled. */
  invokedAt: Float64Array;
  settledAt: Float64Array;
  /** What each cell settled with: its value, or its rejection reason when `failed[cell]` is 1. */
  results: unknown[];
  failed: Uint8Array;
}

/** Thrown when a sheet does not settle in time: a hang is a crash, not a slow result. */
export class SheetDeadlineError extends Error {
  override readonly name = "SheetDeadlineError";
}

/**
 * Invokes `call(addresses[i])` for every cell and resolves once all have settled. Rejects with
 * SheetDeadlineError if any cell is still pending after `deadlineMs`.
 */
export function invokeLikeExcel<T>(
  addresses: readonly string[],
  call: (address: string) => Promise<T>,
  deadlineMs: number
): Promise<SheetRun> {
  const cells = addresses.length;
  const run: SheetRun = {
    invokedAt: new Float64Array(cells),
    settledAt: new Float64Array(cells),
    results: new Array<unknown>(cells),
    failed: new Uint8Array(cells),
  };
  return new Promise((resolve, reject) => {
    let pending = cells;
    let next = 0;
    const deadline = setTimeout(() => {
      reject(
        new SheetDeadlineError(
          `${pending} of ${cells} cells were still pending after ${deadlineMs / 1000} s`
        )
      );
    }, deadlineMs);
    const settle = (cell: number, result: unknown, failed: 0 | 1): void => {
      run.settledAt[cell] = performance.now();
      run.results[cell] = result;
      run.failed[cell] = failed;
      if (--pending === 0) {
        clearTimeout(deadline);
        resolve(run);
      }
    };
    const invokeChunk = (): void => {
      const end = Math.min(cells, next + CALLS_PER_TASK);
      for (; next < end; next++) {
        const cell = next;
        run.invokedAt[cell] = performance.now();
        let promise: Promise<T>;
        try {
          promise = call(addresses[cell]);
        } catch (error) {
          settle(cell, error, 1);
          continue;
        }
        promise.then(
          (value) => settle(cell, value, 0),
          (error: unknown) => settle(cell, error, 1)
        );
      }
      if (next < cells) setImmediate(invokeChunk);
    };
    if (cells === 0) {
      clearTimeout(deadline);
      resolve(run);
      return;
    }
    setImmediate(invokeChunk);
  });
}

/** From the first invocation to the last: how long the sheet took to hand over its cells, ms. */
export function invocationSpanMs(run: SheetRun): number {
  const invoked = run.invokedAt;
  return invoked.length === 0 ? 0 : invoked[invoked.length - 1] - invoked[0];
}

/** From the first invocation until the last cell settled, ms. */
export function wallTimeMs(run: SheetRun): number {
  let lastSettled = -Infinity;
  for (const settledAt of run.settledAt) lastSettled = Math.max(lastSettled, settledAt);
  return run.invokedAt.length === 0 ? 0 : lastSettled - run.invokedAt[0];
}
