// `npm run bench`: GeoBatch against one request per cell and against the common batching
// pattern, on the same emulated Geoapify, with and without its limits, in one run. See
// test/bench/README.md.
//
// Exit codes: 1 on a crash, a wrong cell (any strategy) or a request of GeoBatch over the
// emulated rate, in both runs; 3 when the full run misses a target; 2 on a usage error; else 0.
// The quick run (inside `npm test`) prints its MISSes and never fails on them.

import { availableParallelism, cpus, loadavg, platform, release } from "node:os";
import { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { measureBatcherOverhead } from "./batcher-overhead";
import { bundleTarget, measureBundle } from "./bundle";
import { measureCacheHeap } from "./cache-heap";
import { CACHE_HEAP_ENTRIES } from "./cache-heap-size";
import type { CellTally } from "./check";
import { invokeLikeExcel } from "./invoker";
import { limitCases, runLimitCase, type LimitCaseResult, type LimitPlan } from "./limit-cases";
import { parseOptions, USAGE, UsageError, type BenchOptions } from "./options";
import { renderMarkdown, type BenchReport } from "./report";
import { runCase, type CaseResult } from "./run-case";
import type { CaseContext, StrategyOutcome } from "./run-strategy";
import { buildSheet } from "./sheet";
import { measureSingleEdit } from "./single-edit";
import { formatCount, formatPercent } from "./stats";
import { articleStrategy } from "./strategies/article";
import { UNLIMITED_RATE_PER_SECOND } from "./strategies/cell";
import { geoBatchStrategy } from "./strategies/geobatch";
import { naiveStrategy } from "./strategies/naive";
import { evaluateTargets } from "./targets";
import { runTeamCase, type TeamCaseResult } from "./team-case";
import { renderTeamCase, teamProblems, teamTargets } from "./team-report";

/** The benchmark's terminal voice: progress on stderr, so stdout carries only the report. */
const logger = {
  progress: (line: string) => process.stderr.write(`[bench] ${line}\n`),
  error: (line: string) => process.stderr.write(`[bench] ${line}\n`),
};

const FULL_CASES: Array<[cells: number, duplicateShare: number]> = [
  [100, 0],
  [100, 0.8],
  [1_000, 0],
  [1_000, 0.8],
  [10_000, 0],
  [10_000, 0.8],
  [100_000, 0],
  [100_000, 0.8],
];
/** The naive 10,000-cell run does not fit the quick budget and is skipped by the usual rule. */
const QUICK_CASES: Array<[cells: number, duplicateShare: number]> = [
  [100, 0],
  [100, 0.8],
  [1_000, 0],
  [1_000, 0.8],
  [10_000, 0],
];
const WARM_UP_DEADLINE_MS = 60_000;
/** The outage in the middle of a run: 30 s in the full run, a few seconds in the quick one. */
const FULL_OUTAGE_MS = 30_000;
const QUICK_OUTAGE_MS = 3_000;
/** Exit code of a full run that missed a target but got every cell right. */
const EXIT_MISSED_TARGET = 3;

async function main(
  args: string[],
  options: BenchOptions
): Promise<BenchReport & { team: TeamCaseResult }> {
  const emulator = new GeoapifyEmulator(options.model);
  const baseUrl = await emulator.listen(0, "127.0.0.1");
  try {
    const context: CaseContext = {
      emulator,
      baseUrl,
      model: options.model,
      budgetMs: options.budgetSeconds * 1000,
    };
    logger.progress(`emulator on ${baseUrl}; warming up`);
    await warmUp(baseUrl);

    const loadBefore = loadavg();
    const cases: CaseResult[] = [];
    for (const [cells, duplicateShare] of options.quick ? QUICK_CASES : FULL_CASES) {
      const sheet = buildSheet(cells, duplicateShare);
      logger.progress(
        `${formatCount(cells)} cells, ${formatPercent(duplicateShare)} duplicates ` +
          `(${formatCount(sheet.unique)} unique), no rate limit`
      );
      cases.push(await runCase(context, sheet, logger.progress));
    }

    const plan: LimitPlan = {
      runs: options.runs,
      outageMs: options.quick ? QUICK_OUTAGE_MS : FULL_OUTAGE_MS,
      naiveAtRate: !options.quick,
    };
    const limits: LimitCaseResult[] = [];
    let naiveMsPerCellAtRate: number | undefined;
    for (const spec of limitCases(plan, options.model)) {
      logger.progress(spec.name);
      const result = await runLimitCase(context, spec, plan, logger.progress, naiveMsPerCellAtRate);
      if (result.naive?.status === "ok" || result.naive?.status === "failed") {
        naiveMsPerCellAtRate = result.naive.wallMs / spec.unique;
      }
      limits.push(result);
    }

    const bundle = measureBundle();
    logger.progress("one edited cell, by a batch job and by a single lookup");
    const singleEdit = await measureSingleEdit(baseUrl);
    const team = await runTeamCase(options.model, options.quick ? 100 : 1_000, logger.progress);

    logger.progress(`heap of ${formatCount(CACHE_HEAP_ENTRIES)} cached places`);
    const cacheHeap = await measureCacheHeap(CACHE_HEAP_ENTRIES);

    return {
      args,
      environment: {
        date: new Date().toISOString(),
        nproc: availableParallelism(),
        node: process.version,
        cpu: cpus()[0]?.model.trim() ?? "unknown CPU",
        platform: `${platform()} ${release()}`,
        loadAverage: { before: loadBefore, after: loadavg() },
      },
      mode: options.quick ? "quick" : "full",
      model: options.model,
      budgetSeconds: options.budgetSeconds,
      cases,
      limits,
      runs: options.runs,
      cacheHeap,
      singleEdit,
      bundle,
      team,
      targets: [
        ...evaluateTargets(cases, limits, cacheHeap, options.model),
        bundleTarget(bundle),
        ...teamTargets(team),
      ],
      problems: [...findProblems(cases), ...findLimitProblems(limits), ...teamProblems(team)],
    };
  } finally {
    await emulator.close();
  }
}

/** Compiles the hot paths before anything is measured; results are thrown away. */
async function warmUp(baseUrl: string): Promise<void> {
  const cells = buildSheet(200, 0.5).inputs;
  for (const strategy of [
    naiveStrategy(baseUrl, UNLIMITED_RATE_PER_SECOND),
    articleStrategy(baseUrl),
    geoBatchStrategy(baseUrl, { ratePerSecond: UNLIMITED_RATE_PER_SECOND }),
  ]) {
    await invokeLikeExcel(cells, (address) => strategy.locate(address), WARM_UP_DEADLINE_MS);
    await strategy.close();
  }
  await measureBatcherOverhead(buildSheet(10_000, 0.5).inputs);
}

/** Wrong results, which make the benchmark fail; slow results never do. */
function findProblems(cases: readonly CaseResult[]): string[] {
  const problems: string[] = [];
  for (const result of cases) {
    const label =
      `${formatCount(result.cells)} cells, ` + `${formatPercent(result.duplicateShare)} duplicates`;
    const report = (run: string, cells: CellTally): void => {
      if (cells.wrongCount > 0) {
        problems.push(`${label}, ${run}: ${cells.wrongCount} wrong cells, e.g. ${cells.wrong[0]}`);
      }
    };
    for (const strategy of ["naive", "article", "geobatch"] as const) {
      const outcome = result[strategy];
      if (outcome.status !== "skipped") report(strategy, outcome.cells);
    }
    const { recalculation, differingFromNaive } = result.geobatchDetail;
    report("geobatch recalculation", recalculation.cells);
    if (differingFromNaive) {
      problems.push(`${label}: ${differingFromNaive} GeoBatch cells differ from naive's`);
    }
  }
  return problems;
}

/** Wrong cells of any run at the limits, and requests of GeoBatch over the emulated rate. */
function findLimitProblems(results: readonly LimitCaseResult[]): string[] {
  const problems: string[] = [];
  for (const { spec, geobatch, article, naive } of results) {
    const outcomes: Array<[string, StrategyOutcome | undefined]> = [
      ...geobatch.runs.map((run, index): [string, StrategyOutcome] => [
        `geobatch run ${index + 1}`,
        run,
      ]),
      ["article", article],
      ["naive", naive?.status === "extrapolated" ? undefined : naive],
    ];
    for (const [run, outcome] of outcomes) {
      if (outcome === undefined || outcome.status === "skipped") continue;
      const { cells } = outcome;
      if (cells.wrongCount > 0) {
        problems.push(
          `${spec.name}, ${run}: ${cells.wrongCount} wrong cells, e.g. ${cells.wrong[0]}`
        );
      }
      if (run.startsWith("geobatch") && outcome.requests.rejectedByRate > 0) {
        problems.push(
          `${spec.name}, ${run}: GeoBatch sent ${outcome.requests.rejectedByRate} request(s) ` +
            `over the rate (answered 429 by the emulator's rate limit)`
        );
      }
    }
  }
  return problems;
}

const args = process.argv.slice(2);
let options: BenchOptions;
try {
  options = parseOptions(args);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  logger.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}

main(args, options).then(
  (report) => {
    process.stdout.write(
      options.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : renderMarkdown(report) + renderTeamCase(report.team)
    );
    for (const problem of report.problems) logger.error(`PROBLEM: ${problem}`);
    const missed = report.targets.filter((target) => target.met === false);
    for (const target of missed) logger.error(`MISS: ${target.target}: ${target.detail}`);
    if (report.problems.length > 0) process.exitCode = 1;
    else if (missed.length > 0 && report.mode === "full") process.exitCode = EXIT_MISSED_TARGET;
    else process.exitCode = 0;
  },
  (error: unknown) => {
    logger.error(
      `crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
    );
    process.exitCode = 1;
  }
);
