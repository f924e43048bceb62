// "How it is measured": the method notes at the top of the report.

import { CALLS_PER_TASK } from "./invoker";
import { FREE_TIER_REQUESTS_PER_SECOND } from "./model";
import { formatCount } from "./stats";
import { UNLIMITED_RATE_PER_SECOND } from "./strategies/cell";
import { NAIVE_CONCURRENCY } from "./strategies/naive";

export function methodNotes(): string[] {
  return [
    "## How it is measured",
    "",
    `- Everything runs in one Node process: the strategy, its HTTP client and the Geoapify ` +
      `emulator (src/dev/emulator) on 127.0.0.1, over real loopback HTTP.`,
    `- Cells are invoked as Excel does: one call per cell, ${CALLS_PER_TASK} calls per macrotask ` +
      `(setImmediate), all in flight together.`,
    `- naive: GeoapifyClient.single per cell (GET /v1/geocode/search), at most ` +
      `${NAIVE_CONCURRENCY} requests at once, paced by the client's request scheduler at the ` +
      `case's rate. "5 req/s alone" is computed, not measured: the wall time the free plan's ` +
      `${FREE_TIER_REQUESTS_PER_SECOND} requests/s alone imposes (cells / 5 s).`,
    `- article: the common pattern, reimplemented in test/bench/strategies/article.ts: a fixed ` +
      `100 ms window opened by the first call, the whole queue in one job, a poll every 100 ms, ` +
      `no de-duplication, no cache, plain fetch. Its code has no error handling, so on a ` +
      `refused job its cells would stay #BUSY!; here they fail, and the counts are those up to ` +
      `the failure.`,
    `- geobatch: the product's Geocoder (src/runtime/geocoder.ts) with its shipped defaults, a ` +
      `memory-only GeocodeCache and job store, geocoder.lookup({ kind, options: {}, input }) ` +
      `per cell, a fresh Geocoder per run. Its rate is the shipped default (5/s) where the ` +
      `emulator enforces 5/s, and ${formatCount(UNLIMITED_RATE_PER_SECOND)}/s (the setting's ` +
      `maximum) where the emulator enforces no limit.`,
    `- Requests and credits are counted by the emulator: 0.5 credit per address of an accepted ` +
      `job, 1 per answered single request. Wall: first invocation to last settlement. ` +
      `p50/p95/p99: per cell, invocation to settlement.`,
    `- CPU µs/cell: process.cpuUsage() over the run / cells; it includes the client and the ` +
      `emulator. "batcher" isolates the batcher: the Batcher as the Geocoder configures it, ` +
      `with a batch function answering from memory, over the same sheet, minus the invoker's ` +
      `own cost (median of interleaved repetitions); "+ telemetry" is the same with the ` +
      `batches' telemetry events dispatched to a listener as in the Excel page.`,
    `- Peak heap: the highest heapUsed sampled every 20 ms during the run, minus heapUsed ` +
      `after a full GC just before it (whole process; heapUsed includes garbage not yet ` +
      `collected, so this bounds what was live from above). In parentheses, the part the ` +
      `emulator still held after the run (its request log and every job's stored results, as ` +
      `Geoapify keeps them for 24 h), which is not the strategy's.`,
    "",
  ];
}
