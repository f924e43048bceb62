// The targets of the issue, each judged against this run's numbers. A missed target is a finding
// to report, never a failed benchmark: the exit code only reflects crashes and wrong results.

import type { CacheHeap } from "./cache-heap";
import { CREDITS_PER_BATCH_ADDRESS, jobDurationMs, type LatencyModel } from "./model";
import type { CaseResult, WhatIf } from "./run-case";
import { formatCount, formatMegabytes, formatNumber, formatRatio } from "./stats";

export interface TargetResult {
  target: string;
  /** undefined when this run did not measure it (a --quick run, say). */
  met: boolean | undefined;
  /** The measured numbers; for a miss, what limits it and what would fix it. */
  detail: string;
}

/** The sheet the 10,000-unique targets are judged on. */
export const REFERENCE_CASE = { cells: 10_000, duplicateShare: 0 };
const MAX_SUBMISSIONS = 10;
const MAX_REQUESTS = 40;
const MAX_FLOOR_RATIO = 1.3;
const MAX_BATCHER_MICROS = 5;
const MAX_CACHE_BYTES = 30 * 1024 * 1024;
/** Per-cell cost may grow at most this much from N to 10 N and still count as linear. */
const MAX_PER_CELL_GROWTH = 1.3;
/** Batcher figures of smaller sheets are mostly timer noise and JIT warm-up. */
const MIN_CELLS_FOR_OVERHEAD = 1_000;

export function evaluateTargets(
  cases: readonly CaseResult[],
  cacheHeap: CacheHeap,
  whatIf: WhatIf | undefined,
  model: LatencyModel
): TargetResult[] {
  const reference = cases.find(isReferenceCase);
  return [
    ...referenceTargets(reference, whatIf, model),
    duplicatesTarget(cases),
    batcherTarget(cases),
    cacheTarget(cacheHeap),
    linearityTarget(cases),
  ];
}

export function isReferenceCase(result: { cells: number; duplicateShare: number }): boolean {
  return (
    result.cells === REFERENCE_CASE.cells && result.duplicateShare === REFERENCE_CASE.duplicateShare
  );
}

function referenceTargets(
  reference: CaseResult | undefined,
  whatIf: WhatIf | undefined,
  model: LatencyModel
): TargetResult[] {
  const label = `${formatCount(REFERENCE_CASE.cells)} unique`;
  if (reference === undefined) {
    return [
      `${label}: at most ${MAX_SUBMISSIONS} submissions`,
      `${label}: at most ${MAX_REQUESTS} requests in all`,
      `${label}: credits exactly 0.5 × unique`,
      `${label}: wall time within ${MAX_FLOOR_RATIO}× the floor`,
    ].map((target) => ({ target, met: undefined, detail: "not measured in this run" }));
  }
  const { geobatch, floor, unique, geobatchDetail } = reference;
  const floorRatio = geobatch.wallMs / floor.wallMs;
  const { jobs } = geobatchDetail;
  let wallDetail =
    `${formatCount(geobatch.wallMs)} ms = ${formatRatio(floorRatio)} the floor of ` +
    `${formatCount(floor.wallMs)} ms`;
  if (floorRatio > MAX_FLOOR_RATIO) {
    const rounds = Math.ceil(jobs.jobs / Math.max(1, jobs.peakInFlight));
    wallDetail +=
      `. Limited by the jobs in flight: at most ${jobs.peakInFlight} at once ` +
      `(maxConcurrentJobs), so ${jobs.jobs} jobs needed at least ${rounds} rounds where the ` +
      `floor assumes 1; and by the poll schedule: a finished job waited ` +
      `${formatCount(jobs.meanCollectionDelayMs)} ms on average for the poll that collected it ` +
      `(${formatNumber(jobs.meanPolls)} polls per job; a 1,000-address job takes ` +
      `${formatCount(jobDurationMs(model, 1000))} ms here).`;
    if (whatIf) {
      const delayMs = whatIf.jobs.meanCollectionDelayMs;
      wallDetail +=
        ` With unlimited jobs in flight (what-if run, same sheet, maxConcurrentJobs = ` +
        `${formatCount(whatIf.maxConcurrentJobs)}): ${formatCount(whatIf.wallMs)} ms = ` +
        `${formatRatio(whatIf.wallMs / floor.wallMs)} the floor, ${whatIf.requests} requests; ` +
        `its jobs were collected ${formatCount(delayMs)} ms after they were ready, and without ` +
        `that delay it would take about ` +
        `${formatRatio((whatIf.wallMs - delayMs) / floor.wallMs)} the floor (what-if wall time ` +
        `minus the mean delay; the rest is handing over the cells and CPU).`;
    }
  }
  const expectedCredits = CREDITS_PER_BATCH_ADDRESS * unique;
  return [
    {
      target: `${label}: at most ${MAX_SUBMISSIONS} submissions`,
      met: geobatch.requests.submit <= MAX_SUBMISSIONS,
      detail:
        `${geobatch.requests.submit} submissions ` +
        `(largest job ${formatCount(geobatch.requests.largestJob)})`,
    },
    {
      target: `${label}: at most ${MAX_REQUESTS} requests in all`,
      met: geobatch.requests.total <= MAX_REQUESTS,
      detail:
        `${geobatch.requests.total} requests ` +
        `(${geobatch.requests.submit} submit + ${geobatch.requests.poll} poll)`,
    },
    {
      target: `${label}: credits exactly 0.5 × unique`,
      met: geobatch.credits === expectedCredits,
      detail:
        `${formatCount(geobatch.credits)} credits for ${formatCount(unique)} unique ` +
        `(expected ${formatCount(expectedCredits)})`,
    },
    {
      target: `${label}: wall time within ${MAX_FLOOR_RATIO}× the floor`,
      met: floorRatio <= MAX_FLOOR_RATIO,
      detail: wallDetail,
    },
  ];
}

function duplicatesTarget(cases: readonly CaseResult[]): TargetResult {
  const target = "80% duplicates: credits 0.5 × unique, not × cells";
  const duplicated = cases.filter((result) => result.duplicateShare > 0);
  if (duplicated.length === 0)
    return { target, met: undefined, detail: "not measured in this run" };
  const misses = duplicated.filter(
    (result) => result.geobatch.credits !== CREDITS_PER_BATCH_ADDRESS * result.unique
  );
  const detail = duplicated
    .map(
      (result) =>
        `${formatCount(result.cells)} cells: ${formatCount(result.geobatch.credits)} credits ` +
        `for ${formatCount(result.unique)} unique`
    )
    .join("; ");
  return { target, met: misses.length === 0, detail };
}

function batcherTarget(cases: readonly CaseResult[]): TargetResult {
  const target = `batcher overhead under ${MAX_BATCHER_MICROS} µs per cell`;
  const measured = cases.filter((result) => result.cells >= MIN_CELLS_FOR_OVERHEAD);
  if (measured.length === 0) return { target, met: undefined, detail: "not measured in this run" };
  const worst = measured.reduce((a, b) =>
    b.geobatchDetail.batcher.microsPerCell > a.geobatchDetail.batcher.microsPerCell ? b : a
  );
  const worstPage = Math.max(
    ...measured.map((result) => result.geobatchDetail.batcher.withPageTelemetryMicrosPerCell)
  );
  const micros = worst.geobatchDetail.batcher.microsPerCell;
  return {
    target,
    met: micros < MAX_BATCHER_MICROS,
    detail:
      `at most ${micros.toFixed(2)} µs/cell (${formatCount(worst.cells)} cells, ` +
      `${Math.round(worst.duplicateShare * 100)}% duplicates; sheets of ` +
      `${formatCount(MIN_CELLS_FOR_OVERHEAD)}+ cells); with a telemetry event per cell as in ` +
      `the Excel page: at most ${worstPage.toFixed(2)} µs/cell`,
  };
}

function cacheTarget(cacheHeap: CacheHeap): TargetResult {
  const total = cacheHeap.heapBytes + cacheHeap.arrayBufferBytes;
  return {
    target: `${formatCount(cacheHeap.entries)} cached addresses under 30 MB`,
    met: total < MAX_CACHE_BYTES,
    detail:
      `${formatMegabytes(total)} (${formatMegabytes(cacheHeap.heapBytes)} JS heap + ` +
      `${formatMegabytes(cacheHeap.arrayBufferBytes)} typed arrays; the cache's own estimate: ` +
      `${formatMegabytes(cacheHeap.estimatedBytes)})`,
  };
}

/** Per-cell figures whose growth with N the linearity target watches. */
export function perCellCosts(result: CaseResult): Record<string, number> {
  const { geobatch, cells } = result;
  return {
    "wall ms": geobatch.wallMs / cells,
    requests: geobatch.requests.total / cells,
    credits: geobatch.credits / cells,
    "CPU µs": geobatch.cpuMicrosPerCell,
  };
}

function linearityTarget(cases: readonly CaseResult[]): TargetResult {
  const target = "cost grows linearly (not worse) with N";
  const worst: string[] = [];
  let met: boolean | undefined;
  for (const share of new Set(cases.map((result) => result.duplicateShare))) {
    const series = cases
      .filter((result) => result.duplicateShare === share && result.cells >= 1_000)
      .sort((a, b) => a.cells - b.cells);
    for (let i = 1; i < series.length; i++) {
      const before = perCellCosts(series[i - 1]);
      const after = perCellCosts(series[i]);
      for (const metric of Object.keys(before)) {
        const growth = after[metric] / before[metric];
        const ok = !(growth > MAX_PER_CELL_GROWTH);
        met = (met ?? true) && ok;
        if (!ok) {
          worst.push(
            `${metric} per cell grew ${formatRatio(growth)} ` +
              `from ${formatCount(series[i - 1].cells)} ` +
              `to ${formatCount(series[i].cells)} cells (${Math.round(share * 100)}% duplicates)`
          );
        }
      }
    }
  }
  if (met === undefined) return { target, met, detail: "needs two sheet sizes of 1,000+ cells" };
  return {
    target,
    met,
    detail: met
      ? `no per-cell cost (wall time, requests, credits, CPU) grew more than ` +
        `${formatRatio(MAX_PER_CELL_GROWTH)} from one size to the next (see the table above)`
      : worst.join("; "),
  };
}
