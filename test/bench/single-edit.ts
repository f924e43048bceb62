// One edited cell, by both paths, against the emulator's timing: a fresh Geocoder asked for one
// new address with single edits off (the batching window, a job and its poll) and on (one single
// lookup at 1 credit). The median of a few runs of each, interleaved.

import { GeocodeCache } from "../../src/cache/geocode-cache";
import { memoryJobStore } from "../../src/geoapify/client";
import { Geocoder } from "../../src/runtime/geocoder";
import { memoryStore, Settings, SETTING_KEYS } from "../../src/settings/settings";
import { formatDuration } from "./stats";
import { BENCH_API_KEY, UNLIMITED_RATE_PER_SECOND } from "./strategies/cell";

const RUNS = 5;

export interface SingleEdit {
  /** Median ms from the lookup to its answer, single edits off (a batch job). */
  batchMs: number;
  /** The same with single edits on (one single lookup). */
  singleMs: number;
  runs: number;
}

async function oneEdit(baseUrl: string, singleEdits: boolean, address: string): Promise<number> {
  const saved: Record<string, string> = {
    [SETTING_KEYS.apiKey]: BENCH_API_KEY,
    [SETTING_KEYS.baseUrl]: baseUrl,
    [SETTING_KEYS.ratePerSecond]: String(UNLIMITED_RATE_PER_SECOND),
  };
  if (singleEdits) saved[SETTING_KEYS.singleEdits] = "true";
  const geocoder = new Geocoder({
    settings: new Settings({ store: memoryStore(saved) }),
    cache: GeocodeCache.open({ indexedDB: null }),
    jobStore: Promise.resolve(memoryJobStore()),
  });
  try {
    // Connected first (the key is hashed once per connection), as in a session already open.
    await geocoder.creditsToday();
    const startedAt = performance.now();
    await geocoder.lookup({ kind: "search", options: {}, input: address });
    return performance.now() - startedAt;
  } finally {
    await geocoder.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export async function measureSingleEdit(baseUrl: string): Promise<SingleEdit> {
  const batch: number[] = [];
  const single: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    batch.push(await oneEdit(baseUrl, false, `${run + 1} Edited Lane, Springfield`));
    single.push(await oneEdit(baseUrl, true, `${run + 1} Typed Road, Springfield`));
  }
  return { batchMs: median(batch), singleMs: median(single), runs: RUNS };
}

export function singleEditLine(edit: SingleEdit): string {
  return (
    `One new address typed into a cell, a fresh session against the emulator's timing (median ` +
    `of ${edit.runs}): ${formatDuration(edit.batchMs)} by a batch job (the window, the job ` +
    `and its poll, 0.5 credit) and ${formatDuration(edit.singleMs)} by a single lookup with ` +
    `"Look up single edits at once" on (1 credit).`
  );
}
