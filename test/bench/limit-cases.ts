// The cases at Geoapify's real limits (issues 9 and 11): the emulator enforcing the free plan's
// 5 requests/s per key, an outage of 429s in the middle of a run, and the same sheets without a
// limit, forward and reverse. GeoBatch runs each timed case `runs` times, each on a fresh
// Geocoder (a workbook just opened), and is judged on the median; the article pattern runs as
// often, turn about with it, under the same limit, and is judged on its median too; naive single lookups at 5/s run only where the full run says so, and are
// extrapolated, and marked so, elsewhere.

import type { LookupKind } from "../../src/places/lookup";
import { Oracle } from "./check";
import type { JobTimeline } from "./job-timeline";
import { describeRateFloor, floorFor, rateFloorFor, type LatencyModel } from "./model";
import {
  describeOutcome,
  measureStrategy,
  withArticleFailure,
  type CaseContext,
  type EmulatedLimits,
  type RunResult,
  type StrategyOutcome,
} from "./run-strategy";
import { buildReverseSheet, buildSheet, type Sheet } from "./sheet";
import { formatCount } from "./stats";
import { articleStrategy } from "./strategies/article";
import { UNLIMITED_RATE_PER_SECOND } from "./strategies/cell";
import { geoBatchStrategy } from "./strategies/geobatch";
import { naiveStrategy } from "./strategies/naive";

/** The free plan's rate, which the emulator enforces and GeoBatch keeps by default. */
export const PLAN_RATE_PER_SECOND = 5;

export interface LimitCaseSpec {
  /** Short name used by the targets, e.g. "forward 10,000 at 5/s". */
  name: string;
  kind: LookupKind;
  unique: number;
  /** The emulated rate; undefined: no limit (GeoBatch then gets UNLIMITED_RATE_PER_SECOND). */
  ratePerSecond?: number;
  outage?: { afterMs: number; durationMs: number };
  /** Whether the article pattern runs too (forward sheets only). */
  article: boolean;
  /** "run": naive single lookups at the case's rate; "extrapolate": estimated and marked so. */
  naive?: "run" | "extrapolate";
}

/** A naive run too long to measure here: estimated from the rate (and a measured run, if any). */
export interface ExtrapolatedRun {
  status: "extrapolated";
  wallMs: number;
  basis: string;
}

export interface RepeatedRuns {
  /** Every run, in order. */
  runs: RunResult[];
  /** The run with the median wall time: its counts and jobs are the ones reported. */
  median: RunResult;
  jobs: JobTimeline;
}

export interface LimitCaseResult {
  spec: LimitCaseSpec;
  /** The floor the case is judged against: the rate floor, or without a limit the plain one. */
  floorMs: number;
  /** How the floor was computed, with this case's numbers. */
  floorFormula: string;
  geobatch: RepeatedRuns;
  /** The article pattern's median run, and all its runs (as many as GeoBatch's, turn about). */
  article?: StrategyOutcome;
  articleRuns?: RunResult[];
  naive?: RunResult | ExtrapolatedRun;
}

export interface LimitPlan {
  runs: number;
  /** Outage length: 30 s in the full run, a few seconds in the quick one. */
  outageMs: number;
  /** Whether naive single lookups at 5/s run at 1,000 addresses (about 220 s). */
  naiveAtRate: boolean;
}

export function limitCases(plan: LimitPlan, model: LatencyModel): LimitCaseSpec[] {
  const rate = PLAN_RATE_PER_SECOND;
  // "In the middle": half way through the 10,000-unique run's rate floor.
  const outageAfterMs = Math.round(rateFloorFor(model, 10_000, rate).wallMs / 2);
  return [
    {
      name: "forward 1,000 at 5/s",
      kind: "search",
      unique: 1_000,
      ratePerSecond: rate,
      article: true,
      naive: plan.naiveAtRate ? "run" : "extrapolate",
    },
    {
      name: "forward 10,000 at 5/s",
      kind: "search",
      unique: 10_000,
      ratePerSecond: rate,
      article: true,
      naive: "extrapolate",
    },
    {
      name: `forward 10,000 at 5/s, ${formatCount(plan.outageMs / 1000)} s outage`,
      kind: "search",
      unique: 10_000,
      ratePerSecond: rate,
      outage: { afterMs: outageAfterMs, durationMs: plan.outageMs },
      article: true,
      naive: "extrapolate",
    },
    { name: "forward 10,000 unlimited", kind: "search", unique: 10_000, article: false },
    {
      name: "reverse 10,000 at 5/s",
      kind: "reverse",
      unique: 10_000,
      ratePerSecond: rate,
      article: false,
    },
    { name: "reverse 10,000 unlimited", kind: "reverse", unique: 10_000, article: false },
  ];
}

export async function runLimitCase(
  context: CaseContext,
  spec: LimitCaseSpec,
  plan: LimitPlan,
  progress: (line: string) => void,
  /** ms per cell of a naive run at this rate measured earlier, for the extrapolations. */
  naiveMsPerCellAtRate?: number
): Promise<LimitCaseResult> {
  const sheet =
    spec.kind === "search" ? buildSheet(spec.unique, 0) : buildReverseSheet(spec.unique);
  const oracle = new Oracle(spec.kind);
  const limits: EmulatedLimits = { rateLimitPerSecond: spec.ratePerSecond, outage: spec.outage };
  // The outage case is judged on its cells, not its time: one run.
  const runs = spec.outage ? 1 : plan.runs;

  // The article pattern runs as often as GeoBatch, turn about, and is judged on its median too:
  // one run of it against a median of GeoBatch's would let a lucky run of either decide.
  const geobatchRuns: Array<{ result: RunResult; jobs: JobTimeline }> = [];
  const articleRuns: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const strategy = geoBatchStrategy(context.baseUrl, {
      kind: spec.kind,
      ratePerSecond: spec.ratePerSecond === undefined ? UNLIMITED_RATE_PER_SECOND : undefined,
    });
    const measured = await measureStrategy(context, sheet, oracle, strategy, { limits });
    progress(`  geobatch run ${run}/${runs}: ${describeOutcome(measured.result)}`);
    geobatchRuns.push(measured);
    if (spec.article) {
      const article = articleStrategy(context.baseUrl);
      const { result } = await measureStrategy(context, sheet, oracle, article, { limits });
      const outcome = withArticleFailure(result, article.failures);
      articleRuns.push(outcome);
      progress(`  article run ${run}/${runs}: ${describeOutcome(outcome)}`);
    }
  }
  const median = medianByWall(geobatchRuns, (run) => run.result.wallMs);
  const article = articleRuns.length ? medianByWall(articleRuns, (run) => run.wallMs) : undefined;

  let naive: LimitCaseResult["naive"];
  if (spec.naive === "run" && spec.ratePerSecond !== undefined) {
    const strategy = naiveStrategy(context.baseUrl, spec.ratePerSecond);
    naive = (await measureStrategy(context, sheet, oracle, strategy, { limits })).result;
    progress(`  naive at ${spec.ratePerSecond}/s: ${describeOutcome(naive)}`);
  } else if (spec.naive === "extrapolate" || spec.naive === "run") {
    naive = extrapolateNaive(sheet, spec, naiveMsPerCellAtRate);
  }

  const rate = spec.ratePerSecond;
  return {
    spec,
    floorMs:
      rate === undefined
        ? floorFor(context.model, spec.unique, median.result.invocationSpanMs).wallMs
        : rateFloorFor(context.model, spec.unique, rate).wallMs,
    floorFormula:
      rate === undefined
        ? "max(window, invocation span) + latency + largest job + latency (no rate limit; " +
          `invocation span ${formatCount(median.result.invocationSpanMs)} ms in the median run)`
        : describeRateFloor(context.model, spec.unique, rate),
    geobatch: {
      runs: geobatchRuns.map((run) => run.result),
      median: median.result,
      jobs: median.jobs,
    },
    article,
    articleRuns,
    naive,
  };
}

/** One request per cell at the rate: the rate alone, or a measured naive run's pace. */
function extrapolateNaive(
  sheet: Sheet,
  spec: LimitCaseSpec,
  measuredMsPerCell: number | undefined
): ExtrapolatedRun {
  const cells = sheet.inputs.length;
  const rate = spec.ratePerSecond ?? PLAN_RATE_PER_SECOND;
  const outageMs = spec.outage?.durationMs ?? 0;
  const outage = outageMs > 0 ? ` + the ${formatCount(outageMs / 1000)} s outage` : "";
  if (measuredMsPerCell !== undefined) {
    return {
      status: "extrapolated",
      wallMs: cells * measuredMsPerCell + outageMs,
      basis: `${formatCount(cells)} cells × ${measuredMsPerCell.toFixed(0)} ms (the measured naive run at ${rate}/s)${outage}`,
    };
  }
  return {
    status: "extrapolated",
    wallMs: (cells / rate) * 1000 + outageMs,
    basis: `${formatCount(cells)} requests ÷ ${rate}/s${outage}`,
  };
}

/** The run of median wall time (the lower middle one of an even count). */
function medianByWall<T>(runs: readonly T[], wallMs: (run: T) => number): T {
  const byWall = [...runs].sort((a, b) => wallMs(a) - wallMs(b));
  return byWall[Math.floor((byWall.length - 1) / 2)];
}
