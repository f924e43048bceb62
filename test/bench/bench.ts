// `npm run bench`: GeoBatch against one request per cell and against the common batching
// pattern, on the same emulated Geoapify, in one run. See test/bench/README.md.
//
// Exit codes: 0 whatever the timings; 1 on a crash or a wrong result; 2 on a usage error.

import { availableParallelism, cpus, loadavg, platform, release } from "node:os";
import { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { measureBatcherOverhead } from "./batcher-overhead";
import { measureCacheHeap } from "./cache-heap";
import type { CellTally } from "./check";
import { invokeLikeExcel } from "./invoker";
import { parseOptions, USAGE, UsageError, type BenchOptions } from "./options";
import { renderMarkdown, type BenchReport } from "./report";
import { runCase, runWhatIf, type CaseContext, type CaseResult, type WhatIf } from "./run-case";
import { buildSheet } from "./sheet";
import { formatCount, formatPercent } from "./stats";
import { articleStrategy } from "./strategies/article";
import { geoBatchStrategy } from "./strategies/geobatch";
import { naiveStrategy } from "./strategies/naive";
import { evaluateTargets, isReferenceCase } from "./targets";

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
const CACHE_HEAP_ENTRIES = 100_000;
/**
 * Jobs in flight for the what-if run: more than that sheet ever needs, so that no job waits for
 * a slot, as the floor assumes.
 */
const UNLIMITED_JOBS = 1_000;
const WARM_UP_DEADLINE_MS = 60_000;

async function main(args: string[], options: BenchOptions): Promise<BenchReport> {
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
    let whatIf: WhatIf | undefined;
    for (const [cells, duplicateShare] of options.quick ? QUICK_CASES : FULL_CASES) {
      const sheet = buildSheet(cells, duplicateShare);
      logger.progress(
        `${formatCount(cells)} cells, ${formatPercent(duplicateShare)} duplicates ` +
          `(${formatCount(sheet.unique)} unique)`
      );
      cases.push(await runCase(context, sheet, logger.progress));
      if (isReferenceCase({ cells, duplicateShare })) {
        // Right after the reference run, so that both meet the process in the same state.
        logger.progress(`  what-if: maxConcurrentJobs = ${formatCount(UNLIMITED_JOBS)}`);
        whatIf = await runWhatIf(context, sheet, UNLIMITED_JOBS);
      }
    }

    logger.progress(`heap of ${formatCount(CACHE_HEAP_ENTRIES)} cached addresses`);
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
      cacheHeap,
      whatIf,
      targets: evaluateTargets(cases, cacheHeap, whatIf, options.model),
      problems: findProblems(cases),
    };
  } finally {
    await emulator.close();
  }
}

/** Compiles the hot paths before anything is measured; results are thrown away. */
async function warmUp(baseUrl: string): Promise<void> {
  const cells = buildSheet(200, 0.5).addresses;
  for (const strategy of [
    naiveStrategy(baseUrl),
    articleStrategy(baseUrl),
    geoBatchStrategy(baseUrl),
  ]) {
    await invokeLikeExcel(cells, (address) => strategy.locate(address), WARM_UP_DEADLINE_MS);
    await strategy.close();
  }
  await measureBatcherOverhead(buildSheet(10_000, 0.5).addresses);
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
      options.json ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report)
    );
    for (const problem of report.problems) logger.error(`WRONG RESULT: ${problem}`);
    process.exitCode = report.problems.length > 0 ? 1 : 0;
  },
  (error: unknown) => {
    logger.error(
      `crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
    );
    process.exitCode = 1;
  }
);
