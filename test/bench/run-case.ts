// One case of the benchmark without a rate limit: one sheet, recalculated by each strategy in
// turn against the same emulator, with the counts, times and checks of each run. GeoBatch and
// the naive client are given the highest rate the setting allows (UNLIMITED_RATE_PER_SECOND);
// the cases at the free plan's rate are in limit-cases.ts.

import { measureBatcherOverhead, type BatcherOverhead } from "./batcher-overhead";
import { differingCells, Oracle, tallyCells, type CellTally } from "./check";
import { wallTimeMs, type SheetRun } from "./invoker";
import type { JobTimeline } from "./job-timeline";
import { measureSheet } from "./measure";
import { FREE_TIER_REQUESTS_PER_SECOND, floorFor, type Floor } from "./model";
import {
  deadlineMs,
  describeOutcome,
  measureStrategy,
  withArticleFailure,
  type CaseContext,
  type RunResult,
  type StrategyOutcome,
} from "./run-strategy";
import type { Sheet } from "./sheet";
import { formatCount, settleLatencies, type Latencies } from "./stats";
import { articleStrategy } from "./strategies/article";
import { UNLIMITED_RATE_PER_SECOND, type Strategy } from "./strategies/cell";
import { geoBatchStrategy } from "./strategies/geobatch";
import { NAIVE_CONCURRENCY, naiveStrategy } from "./strategies/naive";

export interface GeoBatchDetail {
  jobs: JobTimeline;
  /** The same sheet recalculated again on the same Geocoder, so from its cache. */
  recalculation: {
    requests: number;
    wallMs: number;
    settle: Latencies;
    cpuMicrosPerCell: number;
    cells: CellTally;
  };
  batcher: BatcherOverhead;
  /** Cells whose value differs from the naive run's for the same address (naive ran only). */
  differingFromNaive?: number;
}

export interface CaseResult {
  cells: number;
  duplicateShare: number;
  unique: number;
  floor: Floor;
  /** What the free plan's 5 requests/s alone imposes on the naive strategy: cells / 5 s. */
  naiveRateLimitMs: number;
  naive: StrategyOutcome;
  article: StrategyOutcome;
  geobatch: RunResult;
  geobatchDetail: GeoBatchDetail;
}

export async function runCase(
  context: CaseContext,
  sheet: Sheet,
  progress: (line: string) => void
): Promise<CaseResult> {
  const cells = sheet.inputs.length;
  // One per case: it remembers every address it was asked about.
  const oracle = new Oracle();
  const log = (strategy: string, outcome: StrategyOutcome): void =>
    progress(`  ${strategy}: ${describeOutcome(outcome)}`);

  const naive = await runNaive(context, sheet, oracle);
  log("naive", naive.outcome);
  const article = articleStrategy(context.baseUrl);
  const articleRun = await measureStrategy(context, sheet, oracle, article);
  const articleOutcome = withArticleFailure(articleRun.result, article.failures);
  log("article", articleOutcome);

  const geoBatch = geoBatchStrategy(context.baseUrl, { ratePerSecond: UNLIMITED_RATE_PER_SECOND });
  const geoBatchRun = await measureStrategy(context, sheet, oracle, geoBatch, { keepOpen: true });
  const differingFromNaive = naive.run && differingCells(sheet.inputs, naive.run, geoBatchRun.run);
  naive.run = undefined; // Compared; from here on it would only weigh on the measurements.
  log("geobatch", geoBatchRun.result);
  const recalculation = await recalculate(context, sheet, oracle, geoBatch);
  await geoBatch.close();
  progress(
    `  geobatch recalculation: ${recalculation.requests} requests, ` +
      `${formatCount(recalculation.wallMs)} ms`
  );

  const batcher = await measureBatcherOverhead(sheet.inputs);
  progress(
    `  batcher alone: ${batcher.microsPerCell.toFixed(2)} µs/cell ` +
      `(${batcher.withPageTelemetryMicrosPerCell.toFixed(2)} with page telemetry)`
  );

  return {
    cells,
    duplicateShare: sheet.duplicateShare,
    unique: sheet.unique,
    floor: floorFor(context.model, sheet.unique, geoBatchRun.result.invocationSpanMs),
    naiveRateLimitMs: (cells / FREE_TIER_REQUESTS_PER_SECOND) * 1000,
    naive: naive.outcome,
    article: articleOutcome,
    geobatch: geoBatchRun.result,
    geobatchDetail: {
      jobs: geoBatchRun.jobs,
      recalculation,
      batcher,
      differingFromNaive,
    },
  };
}

/**
 * The naive run, or a skip when its estimate exceeds the budget. Its cells are returned only for
 * the comparison with GeoBatch.
 */
async function runNaive(
  context: CaseContext,
  sheet: Sheet,
  oracle: Oracle
): Promise<{ outcome: StrategyOutcome; run?: SheetRun }> {
  const cells = sheet.inputs.length;
  const estimateMs =
    cells * (context.naiveMsPerCell ?? context.model.latencyMs / NAIVE_CONCURRENCY);
  if (estimateMs > context.budgetMs) {
    const reason =
      `would take ~${formatCount(estimateMs / 1000)} s ` +
      `(budget ${formatCount(context.budgetMs / 1000)} s)`;
    return { outcome: { status: "skipped", reason } };
  }
  const naive = naiveStrategy(context.baseUrl, UNLIMITED_RATE_PER_SECOND);
  const { run, result } = await measureStrategy(context, sheet, oracle, naive);
  context.naiveMsPerCell = result.wallMs / cells;
  return { outcome: result, run };
}

/** The same sheet again on the same Geocoder: every cell should come from its cache. */
async function recalculate(
  context: CaseContext,
  sheet: Sheet,
  oracle: Oracle,
  geoBatch: Strategy
): Promise<GeoBatchDetail["recalculation"]> {
  context.emulator.reset();
  const { run, cpuMicros } = await measureSheet(
    sheet.inputs,
    (input) => geoBatch.locate(input),
    deadlineMs(context)
  );
  return {
    requests: context.emulator.requests.length,
    wallMs: wallTimeMs(run),
    settle: settleLatencies(run),
    cpuMicrosPerCell: cpuMicros / sheet.inputs.length,
    cells: tallyCells(sheet.inputs, run, oracle),
  };
}
