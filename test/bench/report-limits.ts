// The report's section on the cases at Geoapify's limits: one row per case and strategy, the
// floor each case is judged against, and the formula with its numbers.

import type { ExtrapolatedRun, LimitCaseResult } from "./limit-cases";
import { PLAN_RATE_PER_SECOND } from "./limit-cases";
import { MAX_FLOOR_RATIO } from "./limit-targets";
import { dash, table, type Align } from "./markdown";
import type { LatencyModel } from "./model";
import type { RunResult, StrategyOutcome } from "./run-strategy";
import { formatCount, formatDuration, formatNumber, formatRatio } from "./stats";

const COLUMNS: Array<[string, Align]> = [
  ["Case", "left"],
  ["Strategy", "left"],
  ["Outcome", "left"],
  ["Runs", "right"],
  ["Submit", "right"],
  ["Poll", "right"],
  ["Single", "right"],
  ["Requests", "right"],
  ["429 (rate)", "right"],
  ["429 (outage)", "right"],
  ["Credits", "right"],
  ["Wall", "right"],
  ["Floor", "right"],
  ["Wall ÷ floor", "right"],
  ["Notes", "left"],
];

export function limitsSection(
  results: readonly LimitCaseResult[],
  runs: number,
  mode: "full" | "quick",
  model: LatencyModel
): string[] {
  if (results.length === 0) return [];
  return [
    "## At Geoapify's limits",
    "",
    `The emulator enforces the free plan's ${PLAN_RATE_PER_SECOND} requests/s per key (a ` +
      `request arriving when ${PLAN_RATE_PER_SECOND} were admitted in the last 1,000 ms gets ` +
      `the spec's 429), or an outage (every request answered 429) in the middle of a run, or ` +
      `no limit. GeoBatch keeps its shipped default of ${PLAN_RATE_PER_SECOND}/s under a limit. ` +
      `Each GeoBatch row is the median of ${runs} run(s) on a fresh Geocoder` +
      (mode === "quick" ? " (quick run: one run, so no median)" : "") +
      `; the outage case runs once, as it is judged on its cells. ` +
      `Rate floor = (ceil(unique / 1,000) submits + one poll per job) ÷ rate + the largest ` +
      `job's time (${model.jobBaseMs} ms + ${model.jobPerAddressMs} ms × min(unique, 1,000)) + ` +
      `latency (${model.latencyMs} ms). Without a limit the floor is that of the tables below. ` +
      `Target: wall ≤ ${MAX_FLOOR_RATIO}× the floor.`,
    "",
    ...table(
      COLUMNS,
      results.flatMap((result) => rows(result))
    ),
    "",
    ...results.map((result) => `- ${result.spec.name}: floor ${result.floorFormula}.`),
    "",
  ];
}

function rows(result: LimitCaseResult): string[][] {
  const { spec, geobatch, floorMs } = result;
  const lines = [
    runRow(
      spec.name,
      "geobatch",
      geobatch.median,
      geobatch.runs.length,
      floorMs,
      geobatchNotes(result)
    ),
  ];
  const articleRuns = result.articleRuns ?? [];
  if (result.article && result.article.status !== "skipped" && articleRuns.length > 1) {
    const notes = `runs ${articleRuns.map((run) => formatDuration(run.wallMs)).join(", ")}`;
    lines.push(runRow(spec.name, "article", result.article, articleRuns.length, floorMs, notes));
  } else if (result.article) {
    lines.push(outcomeRow(spec.name, "article", result.article, floorMs));
  }
  if (result.naive) {
    const naive = result.naive;
    lines.push(
      naive.status === "extrapolated"
        ? extrapolatedRow(spec.name, naive, floorMs)
        : runRow(spec.name, `naive at ${spec.ratePerSecond}/s`, naive, 1, floorMs, "")
    );
  }
  return lines;
}

function geobatchNotes(result: LimitCaseResult): string {
  const { jobs, runs } = result.geobatch;
  const walls =
    runs.length > 1 ? `runs ${runs.map((run) => formatDuration(run.wallMs)).join(", ")}; ` : "";
  return (
    `${walls}${jobs.jobs} jobs, ≤ ${jobs.peakInFlight} in flight, ` +
    `${formatNumber(jobs.meanPolls)} polls/job, ready → collected ` +
    `${formatCount(jobs.meanCollectionDelayMs)} ms`
  );
}

function runRow(
  name: string,
  strategy: string,
  run: RunResult,
  runs: number,
  floorMs: number,
  notes: string
): string[] {
  const { requests, cells } = run;
  const failed =
    cells.errorCount > 0
      ? `${notes ? "; " : ""}${formatCount(cells.places + cells.notFound)} answered, failed: ` +
        Object.entries(cells.errors)
          .map(([kind, count]) => `${formatCount(count)} ${kind}`)
          .join(", ")
      : "";
  return [
    name,
    strategy,
    run.failure ?? "ok",
    String(runs),
    formatCount(requests.submit),
    formatCount(requests.poll),
    formatCount(requests.single),
    formatCount(requests.total),
    formatCount(requests.rejectedByRate),
    formatCount(requests.rejectedByOutage),
    formatCount(run.credits),
    formatDuration(run.wallMs),
    formatDuration(floorMs),
    formatRatio(run.wallMs / floorMs),
    `${notes}${failed}`,
  ];
}

function outcomeRow(
  name: string,
  strategy: string,
  outcome: StrategyOutcome,
  floorMs: number
): string[] {
  if (outcome.status === "skipped") {
    return [name, strategy, `skipped: ${outcome.reason}`, ...Array<string>(12).fill(dash)];
  }
  return runRow(name, strategy, outcome, 1, floorMs, "");
}

function extrapolatedRow(name: string, naive: ExtrapolatedRun, floorMs: number): string[] {
  return [
    name,
    "naive",
    "**extrapolated**, not run",
    "0",
    ...Array<string>(7).fill(dash),
    `~${formatDuration(naive.wallMs)}`,
    formatDuration(floorMs),
    `~${formatRatio(naive.wallMs / floorMs)}`,
    `extrapolated: ${naive.basis}`,
  ];
}
