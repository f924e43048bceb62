// One case of the benchmark: one sheet, recalculated by each strategy in turn against the same
// emulator, with the counts, times and checks of each run.

import type { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { MAX_BATCH_SIZE } from "../../src/geoapify/types";
import { measureBatcherOverhead, type BatcherOverhead } from "./batcher-overhead";
import { differingCells, Oracle, tallyCells, type CellTally } from "./check";
import { invocationSpanMs, wallTimeMs, type SheetRun } from "./invoker";
import { jobTimeline, type JobTimeline } from "./job-timeline";
import { heapFreedBy, measureSheet } from "./measure";
import {
  CREDITS_PER_BATCH_ADDRESS,
  CREDITS_PER_SINGLE_REQUEST,
  FREE_TIER_REQUESTS_PER_SECOND,
  floorFor,
  type Floor,
  type LatencyModel,
} from "./model";
import type { Sheet } from "./sheet";
import { formatCount, settleLatencies, type Latencies } from "./stats";
import { articleStrategy } from "./strategies/article";
import type { Strategy } from "./strategies/cell";
import { geoBatchStrategy } from "./strategies/geobatch";
import { NAIVE_CONCURRENCY, naiveStrategy } from "./strategies/naive";

export type StrategyName = "naive" | "article" | "geobatch";

export type RequestCounts = ReturnType<GeoapifyEmulator["counts"]>;

export interface RunResult {
  status: "ok" | "failed";
  /** How the strategy broke, e.g. "fails: 400 (job > 1,000)"; set when status is "failed". */
  failure?: string;
  requests: RequestCounts;
  /** 0.5 per address of an accepted job, 1 per answered single-address request. */
  credits: number;
  wallMs: number;
  /** First to last invocation: while it lasts, a batcher cannot have seen the whole sheet. */
  invocationSpanMs: number;
  settle: Latencies;
  /** Process CPU time during the run (strategy, client and emulator alike) per cell, µs. */
  cpuMicrosPerCell: number;
  peakHeapBytes: number;
  /**
   * What the in-process emulator still held after the run (its request log and every job's
   * stored results, as Geoapify keeps them for 24 h): part of peakHeapBytes that is not the
   * strategy's.
   */
  emulatorHeapBytes: number;
  cells: CellTally;
}

export interface SkippedRun {
  status: "skipped";
  /** Why, with the estimate: "would take ~620 s (budget 120 s)". */
  reason: string;
}

export type StrategyOutcome = RunResult | SkippedRun;

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
  /** What the free tier's 5 requests/s alone imposes on the naive strategy: cells / 5 s. */
  naiveRateLimitMs: number;
  naive: StrategyOutcome;
  article: StrategyOutcome;
  geobatch: RunResult;
  geobatchDetail: GeoBatchDetail;
}

export interface CaseContext {
  emulator: GeoapifyEmulator;
  baseUrl: string;
  model: LatencyModel;
  /** A strategy estimated to take longer than this is skipped, and the table says so. */
  budgetMs: number;
  /** Learned from the naive runs so far, to estimate the next one. */
  naiveMsPerCell?: number;
}

/** A run still pending after this long is hung, which is a crash, not a slow result. */
function deadlineMs(context: CaseContext): number {
  return Math.max(300_000, 3 * context.budgetMs);
}

export async function runCase(
  context: CaseContext,
  sheet: Sheet,
  progress: (line: string) => void
): Promise<CaseResult> {
  const cells = sheet.addresses.length;
  // One per case: it remembers every address it was asked about.
  const oracle = new Oracle();
  const log = (strategy: string, outcome: StrategyOutcome): void =>
    progress(`  ${strategy}: ${describeOutcome(outcome)}`);

  const naive = await runNaive(context, sheet, oracle);
  log("naive", naive.outcome);
  const article = await runArticle(context, sheet, oracle);
  log("article", article);

  const geoBatch = geoBatchStrategy(context.baseUrl);
  const geoBatchRun = await runGeoBatch(context, sheet, oracle, geoBatch, naive.run);
  naive.run = undefined; // Compared; from here on it would only weigh on the measurements.
  log("geobatch", geoBatchRun.result);
  const recalculation = await recalculate(context, sheet, oracle, geoBatch);
  await geoBatch.close();
  progress(
    `  geobatch recalculation: ${recalculation.requests} requests, ` +
      `${formatCount(recalculation.wallMs)} ms`
  );

  const batcher = await measureBatcherOverhead(sheet.addresses);
  progress(
    `  batcher alone: ${batcher.microsPerCell.toFixed(2)} µs/cell ` +
      `(${batcher.withPageTelemetryMicrosPerCell.toFixed(2)} with page telemetry)`
  );

  return {
    cells,
    duplicateShare: sheet.duplicateShare,
    unique: sheet.unique,
    floor: floorFor(context.model, sheet.unique),
    naiveRateLimitMs: (cells / FREE_TIER_REQUESTS_PER_SECOND) * 1000,
    naive: naive.outcome,
    article,
    geobatch: geoBatchRun.result,
    geobatchDetail: {
      jobs: geoBatchRun.jobs,
      recalculation,
      batcher,
      differingFromNaive: geoBatchRun.differingFromNaive,
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
  const cells = sheet.addresses.length;
  const estimateMs =
    cells * (context.naiveMsPerCell ?? context.model.latencyMs / NAIVE_CONCURRENCY);
  if (estimateMs > context.budgetMs) {
    const reason =
      `would take ~${formatCount(estimateMs / 1000)} s ` +
      `(budget ${formatCount(context.budgetMs / 1000)} s)`;
    return { outcome: { status: "skipped", reason } };
  }
  const { run, result } = await measureStrategy(
    context,
    sheet,
    oracle,
    naiveStrategy(context.baseUrl)
  );
  context.naiveMsPerCell = result.wallMs / cells;
  return { outcome: result, run };
}

async function runArticle(context: CaseContext, sheet: Sheet, oracle: Oracle): Promise<RunResult> {
  const article = articleStrategy(context.baseUrl);
  const { result } = await measureStrategy(context, sheet, oracle, article);
  const failure = article.failures[0];
  if (failure === undefined) return result;
  return {
    ...result,
    status: "failed",
    failure:
      failure.status === 400 && failure.jobSize > MAX_BATCH_SIZE
        ? `fails: 400 (job > ${formatCount(MAX_BATCH_SIZE)})`
        : `fails: HTTP ${failure.status} (job of ${formatCount(failure.jobSize)})`,
  };
}

/**
 * Runs GeoBatch and compares its values with the naive run's. GeoBatch's cells do not outlive
 * this call: a run of 10,000 cells holds megabytes, which would weigh on every later measurement.
 */
async function runGeoBatch(
  context: CaseContext,
  sheet: Sheet,
  oracle: Oracle,
  geoBatch: Strategy,
  naiveRun: SheetRun | undefined
): Promise<{ result: RunResult; jobs: JobTimeline; differingFromNaive: number | undefined }> {
  const { run, result, jobs } = await measureStrategy(context, sheet, oracle, geoBatch, {
    keepOpen: true,
  });
  return {
    result,
    jobs,
    differingFromNaive: naiveRun && differingCells(sheet.addresses, naiveRun, run),
  };
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
    sheet.addresses,
    (address) => geoBatch.locate(address),
    deadlineMs(context)
  );
  return {
    requests: context.emulator.counts().total,
    wallMs: wallTimeMs(run),
    settle: settleLatencies(run),
    cpuMicrosPerCell: cpuMicros / sheet.addresses.length,
    cells: tallyCells(sheet.addresses, run, oracle),
  };
}

export interface WhatIf {
  maxConcurrentJobs: number;
  wallMs: number;
  requests: number;
  jobs: JobTimeline;
}

/** GeoBatch with one default changed, for the analysis of a missed target; never a main row. */
export async function runWhatIf(
  context: CaseContext,
  sheet: Sheet,
  maxConcurrentJobs: number
): Promise<WhatIf> {
  const measured = await measureStrategy(
    context,
    sheet,
    new Oracle(),
    geoBatchStrategy(context.baseUrl, { maxConcurrentJobs })
  );
  if (measured.result.cells.wrongCount > 0) {
    throw new Error(`The what-if run gave wrong results: ${measured.result.cells.wrong[0]}`);
  }
  return {
    maxConcurrentJobs,
    wallMs: measured.result.wallMs,
    requests: measured.result.requests.total,
    jobs: measured.jobs,
  };
}

async function measureStrategy(
  context: CaseContext,
  sheet: Sheet,
  oracle: Oracle,
  strategy: Strategy,
  { keepOpen = false } = {}
): Promise<{ run: SheetRun; result: RunResult; jobs: JobTimeline }> {
  const { emulator } = context;
  emulator.reset();
  const measured = await measureSheet(
    sheet.addresses,
    (address) => strategy.locate(address),
    deadlineMs(context)
  );
  if (!keepOpen) await strategy.close();
  const requests = emulator.counts();
  const answeredSingles = emulator.requests.filter(
    (request) => request.kind === "single" && request.status === 200
  ).length;
  const jobs = jobTimeline(emulator.requests, context.model);
  const emulatorHeapBytes = heapFreedBy(() => emulator.reset());
  const cells = sheet.addresses.length;
  return {
    run: measured.run,
    jobs,
    result: {
      status: "ok",
      requests,
      credits:
        CREDITS_PER_BATCH_ADDRESS * requests.addressesSubmitted +
        CREDITS_PER_SINGLE_REQUEST * answeredSingles,
      wallMs: wallTimeMs(measured.run),
      invocationSpanMs: invocationSpanMs(measured.run),
      settle: settleLatencies(measured.run),
      cpuMicrosPerCell: measured.cpuMicros / cells,
      peakHeapBytes: measured.peakHeapBytes,
      emulatorHeapBytes,
      cells: tallyCells(sheet.addresses, measured.run, oracle),
    },
  };
}

function describeOutcome(outcome: StrategyOutcome): string {
  if (outcome.status === "skipped") return `skipped: ${outcome.reason}`;
  const summary =
    `${formatCount(outcome.wallMs)} ms, ${formatCount(outcome.requests.total)} requests, ` +
    `${formatCount(outcome.credits)} credits`;
  return outcome.failure ? `${outcome.failure}; ${summary}` : summary;
}
