// The speed targets of issue 19: the largest sheet without a limit judged from its last
// invocation (the bench's own invocation of 100,000 cells is not GeoBatch's time), and GeoBatch
// never slower than the article pattern on a sheet that pattern answers in full.

import type { LimitCaseResult } from "./limit-cases";
import { jobDurationMs, type LatencyModel } from "./model";
import type { CaseResult } from "./run-case";
import type { RunResult, StrategyOutcome } from "./run-strategy";
import { formatCount, formatRatio } from "./stats";
import type { TargetResult } from "./targets";

const LARGEST_SHEET = 100_000;
const MAX_TAIL_RATIO = 3;

export function speedTargets(
  cases: readonly CaseResult[],
  limitResults: readonly LimitCaseResult[],
  model: LatencyModel
): TargetResult[] {
  return [tailTarget(cases, model), againstArticleTarget(cases, limitResults)];
}

/** From the last invocation, the last job still needs its submit, its time and its poll. */
function tailTarget(cases: readonly CaseResult[], model: LatencyModel): TargetResult {
  const floorMs = 2 * model.latencyMs + jobDurationMs(model, 1_000);
  const target =
    `${formatCount(LARGEST_SHEET)} unique, no limit: last cell invoked → last settled ≤ ` +
    `${MAX_TAIL_RATIO}× (latency + largest job + latency = ${formatCount(floorMs)} ms)`;
  const largest = cases.find(
    (result) => result.cells === LARGEST_SHEET && result.unique === 100_000
  );
  if (largest === undefined) return { target, met: undefined, detail: "not measured in this run" };
  const { wallMs, invocationSpanMs } = largest.geobatch;
  const tailMs = wallMs - invocationSpanMs;
  return {
    target,
    met: tailMs / floorMs <= MAX_TAIL_RATIO,
    detail:
      `${formatRatio(tailMs / floorMs)}: ${formatCount(tailMs)} ms after the last of ` +
      `${formatCount(LARGEST_SHEET)} invocations (which took ${formatCount(invocationSpanMs)} ms; ` +
      `wall ${formatCount(wallMs)} ms, ${largest.geobatchDetail.jobs.jobs} jobs)`,
  };
}

function answeredEveryCell(outcome: StrategyOutcome | undefined): outcome is RunResult {
  return (
    outcome !== undefined &&
    outcome.status === "ok" &&
    outcome.cells.errorCount === 0 &&
    outcome.cells.wrongCount === 0
  );
}

function againstArticleTarget(
  cases: readonly CaseResult[],
  limitResults: readonly LimitCaseResult[]
): TargetResult {
  const target = "GeoBatch's wall ≤ the article pattern's wherever that pattern answers every cell";
  const pairs: Array<[name: string, geobatch: number, article: number]> = [];
  for (const result of cases) {
    if (!answeredEveryCell(result.article)) continue;
    const name = `${formatCount(result.cells)} cells, ${Math.round(result.duplicateShare * 100)}%`;
    pairs.push([name, result.geobatch.wallMs, result.article.wallMs]);
  }
  for (const result of limitResults) {
    if (!answeredEveryCell(result.article)) continue;
    pairs.push([result.spec.name, result.geobatch.median.wallMs, result.article.wallMs]);
  }
  if (pairs.length === 0) return { target, met: undefined, detail: "not measured in this run" };
  const slower = pairs.filter(([, geobatch, article]) => geobatch > article);
  const describe = ([name, geobatch, article]: (typeof pairs)[number]) =>
    `${name}: ${formatCount(geobatch)} vs ${formatCount(article)} ms`;
  return {
    target,
    met: slower.length === 0,
    detail:
      slower.length === 0
        ? `on all ${pairs.length} such sheets (${pairs.map(describe).join("; ")})`
        : `slower on ${slower.length} of ${pairs.length}: ${slower.map(describe).join("; ")}`,
  };
}
