// One strategy over one sheet against the emulator, with the emulated limits the case asks for:
// the counts the emulator logged, the times and the check of every cell.

import type { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { MAX_BATCH_SIZE } from "../../src/geoapify/types";
import { tallyCells, type CellTally, type Oracle } from "./check";
import { invocationSpanMs, wallTimeMs, type SheetRun } from "./invoker";
import { jobTimeline, requestCounts, type JobTimeline, type RequestCounts } from "./job-timeline";
import { heapFreedBy, measureSheet } from "./measure";
import { CREDITS_PER_BATCH_ADDRESS, CREDITS_PER_SINGLE_REQUEST, type LatencyModel } from "./model";
import type { Sheet } from "./sheet";
import { formatCount, settleLatencies, type Latencies } from "./stats";
import type { ArticleHttpError } from "./strategies/article";
import type { Strategy } from "./strategies/cell";

export type StrategyName = "naive" | "article" | "geobatch";

export interface RunResult {
  status: "ok" | "failed";
  /** How the strategy broke, e.g. "fails: 400 (job > 1,000)"; set when status is "failed". */
  failure?: string;
  requests: RequestCounts;
  /** 0.5 per input of an accepted job, 1 per answered single-address request. */
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

export interface CaseContext {
  emulator: GeoapifyEmulator;
  baseUrl: string;
  model: LatencyModel;
  /** A strategy estimated to take longer than this is skipped, and the table says so. */
  budgetMs: number;
  /** Learned from the naive runs without a rate limit so far, to estimate the next one. */
  naiveMsPerCell?: number;
}

/** What the emulator enforces during a run, besides the latency model. */
export interface EmulatedLimits {
  /** Requests per second per key; over it, the spec's 429. Default none. */
  rateLimitPerSecond?: number;
  /** Every request answered 429 from `afterMs` after the run starts, for `durationMs`. */
  outage?: { afterMs: number; durationMs: number };
}

/** A run still pending after this long is hung, which is a crash, not a slow result. */
export function deadlineMs(context: CaseContext): number {
  return Math.max(300_000, 3 * context.budgetMs);
}

export interface MeasuredStrategy {
  run: SheetRun;
  result: RunResult;
  jobs: JobTimeline;
}

export async function measureStrategy(
  context: CaseContext,
  sheet: Sheet,
  oracle: Oracle,
  strategy: Strategy,
  { keepOpen = false, limits = {} as EmulatedLimits } = {}
): Promise<MeasuredStrategy> {
  const { emulator } = context;
  emulator.reset();
  if (limits.rateLimitPerSecond) emulator.set({ rateLimitPerSecond: limits.rateLimitPerSecond });
  if (limits.outage) emulator.startOutage(limits.outage.durationMs, limits.outage.afterMs);
  const measured = await measureSheet(
    sheet.inputs,
    (input) => strategy.locate(input),
    deadlineMs(context)
  );
  if (!keepOpen) await strategy.close();
  const requests = requestCounts(emulator.requests);
  const jobs = jobTimeline(emulator.requests, context.model);
  const emulatorHeapBytes = heapFreedBy(() => emulator.reset());
  const cells = sheet.inputs.length;
  return {
    run: measured.run,
    jobs,
    result: {
      status: "ok",
      requests,
      credits:
        CREDITS_PER_BATCH_ADDRESS * requests.addressesSubmitted +
        CREDITS_PER_SINGLE_REQUEST * requests.answeredSingles,
      wallMs: wallTimeMs(measured.run),
      invocationSpanMs: invocationSpanMs(measured.run),
      settle: settleLatencies(measured.run),
      cpuMicrosPerCell: measured.cpuMicros / cells,
      peakHeapBytes: measured.peakHeapBytes,
      emulatorHeapBytes,
      cells: tallyCells(sheet.inputs, measured.run, oracle),
    },
  };
}

export function describeOutcome(outcome: StrategyOutcome): string {
  if (outcome.status === "skipped") return `skipped: ${outcome.reason}`;
  const summary =
    `${formatCount(outcome.wallMs)} ms, ${formatCount(outcome.requests.total)} requests, ` +
    `${formatCount(outcome.credits)} credits`;
  const rejected = outcome.requests.rejectedByRate + outcome.requests.rejectedByOutage;
  const limited = rejected > 0 ? `, ${formatCount(rejected)} answered 429` : "";
  return outcome.failure ? `${outcome.failure}; ${summary}${limited}` : `${summary}${limited}`;
}

/** The article's run, marked failed with how it broke when any job was refused. */
export function withArticleFailure(
  result: RunResult,
  failures: readonly ArticleHttpError[]
): RunResult {
  const failure = failures[0];
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
