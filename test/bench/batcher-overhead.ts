// The batcher's own CPU cost per cell, without HTTP, client or emulator: the Batcher configured
// as the Geocoder configures it (keyOf lookupKey, batch events published to telemetry, per-cell
// "enqueued" events not), with a batch function that
// answers from memory at once, driven by the same invoker over the same sheet. The invoker's own
// cost is measured with a trivial cell function and subtracted.
//
// Steady state, not cold start: repetitions are interleaved and the median of each is taken, so
// that a collection of somebody else's garbage or a noisy neighbour does not decide the figure.
// No GC is forced in between: after a forced full GC V8 starts again from a small young
// generation, which made the next repetition up to four times dearer than in a running add-in.

import { Batcher } from "../../src/batching/batcher";
import { cleanAddress, lookupKey, type Lookup } from "../../src/places/lookup";
import { publish, subscribe } from "../../src/runtime/telemetry";
import { invokeLikeExcel } from "./invoker";
import { cpuMicrosOf } from "./measure";
import { percentile } from "./stats";

/** Cells measured per figure, at least: small sheets are repeated to get above timer noise. */
const MIN_MEASURED_CELLS = 50_000;
/** Each repetition waits one batching window, which bounds the repetitions of small sheets. */
const MIN_REPETITIONS = 3;
const MAX_REPETITIONS = 20;
const DEADLINE_MS = 120_000;

const ANSWER = { lat: 1, lon: 2 };

export interface BatcherOverhead {
  /** Batcher CPU µs per cell, as under Node, where telemetry has no listener and costs nothing. */
  microsPerCell: number;
  /**
   * The same with telemetry as in the Excel page: the global is an EventTarget and the task pane
   * listens, so every batch event dispatches a CustomEvent.
   */
  withPageTelemetryMicrosPerCell: number;
}

export async function measureBatcherOverhead(
  addresses: readonly string[]
): Promise<BatcherOverhead> {
  const cells = Math.max(1, addresses.length);
  const repetitions = Math.min(
    MAX_REPETITIONS,
    Math.max(MIN_REPETITIONS, Math.ceil(MIN_MEASURED_CELLS / cells))
  );
  const invoker: number[] = [];
  const batcher: number[] = [];
  const page: number[] = [];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    invoker.push(
      await cpuMicrosOf(() =>
        invokeLikeExcel(addresses, () => Promise.resolve(ANSWER), DEADLINE_MS)
      )
    );
    batcher.push(await cpuMicrosOf(() => runBatcher(addresses)));
    page.push(await withPageTelemetry(() => cpuMicrosOf(() => runBatcher(addresses))));
  }
  const invokerMicros = median(invoker);
  return {
    microsPerCell: Math.max(0, median(batcher) - invokerMicros) / cells,
    withPageTelemetryMicrosPerCell: Math.max(0, median(page) - invokerMicros) / cells,
  };
}

function runBatcher(addresses: readonly string[]): Promise<unknown> {
  const batcher = new Batcher<Lookup, typeof ANSWER>({
    batch: async (keys) => keys.map(() => ANSWER),
    keyOf: lookupKey,
    onEvent: (event) => event.type !== "enqueued" && publish(event),
  });
  // The functions clean the address and build the lookup before Geocoder.lookup loads it; that
  // is part of the per-cell cost.
  return invokeLikeExcel(
    addresses,
    (address) => batcher.load({ kind: "search", options: {}, input: cleanAddress(address) }),
    DEADLINE_MS
  );
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50
  );
}

/** Makes the global an EventTarget with one telemetry listener while `work` runs. */
async function withPageTelemetry<T>(work: () => Promise<T>): Promise<T> {
  const page = new EventTarget();
  Object.assign(globalThis, {
    dispatchEvent: page.dispatchEvent.bind(page),
    addEventListener: page.addEventListener.bind(page),
    removeEventListener: page.removeEventListener.bind(page),
  });
  const unsubscribe = subscribe(() => {});
  try {
    return await work();
  } finally {
    unsubscribe();
    for (const name of ["dispatchEvent", "addEventListener", "removeEventListener"]) {
      Reflect.deleteProperty(globalThis, name);
    }
  }
}
