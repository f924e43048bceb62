// The Markdown report: one row per case and strategy, then ratios, the floor, the cached
// recalculation, per-cell cost across N, the cache's heap, and the targets.

import { bundleLines, type BundleFile } from "./bundle";
import type { CacheHeap } from "./cache-heap";
import { singleEditLine, type SingleEdit } from "./single-edit";
import type { LimitCaseResult } from "./limit-cases";
import { dash, table, verdict, type Align } from "./markdown";
import { PRODUCT_WINDOW_MS, type LatencyModel } from "./model";
import { limitsSection } from "./report-limits";
import { methodNotes } from "./report-method";
import type { CaseResult } from "./run-case";
import type { RunResult, StrategyName, StrategyOutcome } from "./run-strategy";
import {
  formatCount,
  formatDuration,
  formatMegabytes,
  formatNumber,
  formatPercent,
  formatRatio,
} from "./stats";
import { perCellCosts, type TargetResult } from "./targets";

export interface Environment {
  date: string;
  nproc: number;
  node: string;
  cpu: string;
  platform: string;
  /** os.loadavg() (1, 5 and 15 minutes) before the first case and after the last. */
  loadAverage: { before: number[]; after: number[] };
}

export interface BenchReport {
  /** The flags the benchmark was run with. */
  args: string[];
  environment: Environment;
  mode: "full" | "quick";
  model: LatencyModel;
  budgetSeconds: number;
  cases: CaseResult[];
  /** The cases at Geoapify's limits (5 requests/s, an outage, none), forward and reverse. */
  limits: LimitCaseResult[];
  /** GeoBatch runs per timed limit case; the targets use the median. */
  runs: number;
  cacheHeap: CacheHeap;
  singleEdit: SingleEdit;
  /** The production build's files, when dist/ holds one. */
  bundle: BundleFile[] | undefined;
  targets: TargetResult[];
  /** Wrong cells, mismatches, requests over the rate; any entry makes the benchmark exit 1. */
  problems: string[];
}

const STRATEGIES: StrategyName[] = ["naive", "article", "geobatch"];

export function renderMarkdown(report: BenchReport): string {
  const { environment: env, model } = report;
  return [
    `# GeoBatch benchmark (${report.mode} run)`,
    "",
    `- Date: ${env.date}`,
    `- Command: \`${commandLine(report.args)}\``,
    `- Machine: nproc ${env.nproc}, ${env.cpu}, ${env.platform}, Node ${env.node}`,
    `- Load average (1, 5, 15 min): ${formatLoad(env.loadAverage.before)} before the first ` +
      `case, ${formatLoad(env.loadAverage.after)} after the last (the machine is shared: ` +
      `timings are indicative, counts are exact)`,
    `- Latency model: ${model.latencyMs} ms per request; a batch job of s addresses takes ` +
      `${model.jobBaseMs} ms + ${model.jobPerAddressMs} ms × s (flags --latency, --job-base, ` +
      `--job-per-address)`,
    `- Per-case budget: ${report.budgetSeconds} s (a strategy estimated to take longer is ` +
      `skipped and says so)`,
    "",
    ...methodNotes(),
    ...limitsSection(report.limits, report.runs, report.mode, model),
    "## Results without a rate limit",
    "",
    ...resultsTable(report.cases),
    "",
    "## Ratios",
    "",
    ...ratiosTable(report.cases),
    "",
    "## GeoBatch against the floor",
    "",
    `Floor for U unique addresses: ceil(U / 1,000) submissions; 2 requests per job (a submit and ` +
      `one poll); 0.5 × U credits; wall time = max(window (${PRODUCT_WINDOW_MS} ms), invocation ` +
      `span) + latency (submit) + duration of the largest job (min(U, 1,000) addresses) + ` +
      `latency (the poll that finds it done), as if every job ran in parallel, each was polled ` +
      `exactly when ready, and no CPU time counted. The invocation span counts because, with ` +
      `jobs in parallel, the last job cannot leave before the sheet has handed over its last ` +
      `cell (the earlier floor, window instead of the span, assumed invoking cells took no ` +
      `time). "Ready → collected": how long a finished job ` +
      `waited for the poll that ` +
      `found it done. "Invocation span": first to last cell invocation; a window that closes ` +
      `before the sheet has handed over its cells cuts a job short of 1,000 addresses.`,
    "",
    ...floorTable(report.cases),
    "",
    "## Recalculation from cache",
    "",
    "The same sheet recalculated a second time on the same Geocoder.",
    "",
    ...recalculationTable(report.cases),
    "",
    "## Per-cell cost across N (GeoBatch)",
    "",
    ...perCellTable(report.cases),
    "",
    "## What Excel loads",
    "",
    ...bundleLines(report.bundle),
    "",
    "## One edited cell",
    "",
    singleEditLine(report.singleEdit),
    "",
    "## Heap of the cache",
    "",
    cacheLine(report.cacheHeap),
    "",
    "## Targets",
    "",
    `PASS or MISS; wall-time targets are ratios of the median of ${report.runs} GeoBatch ` +
      `run(s)${report.mode === "quick" ? " (quick run: one run each)" : ""}. ` +
      (report.mode === "full"
        ? "A MISS makes this full run exit 3."
        : "The quick run reports a MISS and does not fail on it."),
    "",
    ...table(
      [
        ["Target", "left"],
        ["Result", "left"],
        ["Measured", "left"],
      ],
      report.targets.map((target) => [target.target, verdict(target), target.detail])
    ),
    "",
    "## Correctness",
    "",
    ...(report.problems.length === 0
      ? [
          "Every cell of every run held exactly the emulator's answer for its input (its " +
            "coordinates, and for reverse lookups its formatted address; null for a not-found) " +
            "or a documented error; GeoBatch's values equal the naive strategy's for the same " +
            "addresses wherever both ran; and GeoBatch sent no request over the emulated rate.",
        ]
      : ["Problems (the benchmark exits 1):", ...report.problems.map((problem) => `- ${problem}`)]),
    "",
  ].join("\n");
}

function commandLine(args: readonly string[]): string {
  return args.length === 0 ? "npm run bench" : `npm run bench -- ${args.join(" ")}`;
}

function formatLoad(load: readonly number[]): string {
  return load.map((value) => value.toFixed(2)).join(" / ");
}

/** The first columns of every per-case table. */
function caseCells(result: CaseResult): string[] {
  return [formatCount(result.cells), formatPercent(result.duplicateShare)];
}

const CASE_COLUMNS: Array<[string, Align]> = [
  ["Cells", "right"],
  ["Dup", "right"],
];

function resultsTable(cases: readonly CaseResult[]): string[] {
  const columns: Array<[string, Align]> = [
    ...CASE_COLUMNS,
    ["Unique", "right"],
    ["Strategy", "left"],
    ["Outcome", "left"],
    ["Submit", "right"],
    ["Poll", "right"],
    ["Single", "right"],
    ["Requests", "right"],
    ["Credits", "right"],
    ["Wall", "right"],
    ["p50", "right"],
    ["p95", "right"],
    ["p99", "right"],
    ["CPU µs/cell", "right"],
    ["Peak heap (emulator)", "right"],
    ["Notes", "left"],
  ];
  const rows = cases.flatMap((result) =>
    STRATEGIES.map((strategy) => {
      const outcome = result[strategy];
      const lead = [...caseCells(result), formatCount(result.unique), strategy];
      const notes = notesFor(result, strategy);
      if (outcome.status === "skipped") {
        return [...lead, `skipped: ${outcome.reason}`, ...Array<string>(11).fill(dash), notes];
      }
      const { requests, settle } = outcome;
      return [
        ...lead,
        outcome.failure ?? "ok",
        formatCount(requests.submit),
        formatCount(requests.poll),
        formatCount(requests.single),
        formatCount(requests.total),
        formatCount(outcome.credits),
        formatDuration(outcome.wallMs),
        formatDuration(settle.p50),
        formatDuration(settle.p95),
        formatDuration(settle.p99),
        formatNumber(outcome.cpuMicrosPerCell),
        `${formatMegabytes(outcome.peakHeapBytes)} (${formatMegabytes(outcome.emulatorHeapBytes)})`,
        notes,
      ];
    })
  );
  return table(columns, rows);
}

function notesFor(result: CaseResult, strategy: StrategyName): string {
  const notes: string[] = [];
  const outcome = result[strategy];
  if (strategy === "naive") {
    notes.push(`5 req/s alone: ≥ ${formatDuration(result.naiveRateLimitMs)}`);
  }
  if (strategy === "geobatch") {
    const { batcher, jobs } = result.geobatchDetail;
    const telemetry = batcher.withPageTelemetryMicrosPerCell.toFixed(2);
    notes.push(
      `batcher ${batcher.microsPerCell.toFixed(2)} µs/cell (+ telemetry ${telemetry})`,
      `${jobs.jobs} jobs, ≤ ${jobs.peakInFlight} in flight`
    );
  }
  if (outcome.status !== "skipped" && outcome.cells.errorCount > 0) {
    const { cells } = outcome;
    const kinds = Object.entries(cells.errors)
      .map(([kind, count]) => `${formatCount(count)} ${kind}`)
      .join(", ");
    const answered = formatCount(cells.places + cells.notFound);
    notes.push(`${answered} of ${formatCount(result.cells)} cells answered; failed: ${kinds}`);
  }
  return notes.join("; ");
}

function ratioCells(geobatch: RunResult, other: StrategyOutcome, cells: number): string[] {
  if (other.status === "skipped") {
    // By construction the naive strategy sends one request, and pays one credit, per cell.
    return [
      "n/a (skipped)",
      `${formatRatio(geobatch.requests.total / cells)} †`,
      `${formatRatio(geobatch.credits / cells)} †`,
    ];
  }
  if (other.status === "failed") return Array<string>(3).fill("n/a (failed)");
  return [
    formatRatio(geobatch.wallMs / other.wallMs),
    formatRatio(geobatch.requests.total / other.requests.total),
    formatRatio(geobatch.credits / other.credits),
  ];
}

function ratiosTable(cases: readonly CaseResult[]): string[] {
  const lines = [
    "GeoBatch divided by the other strategy (below 1× means GeoBatch spends less).",
    "",
    ...table(
      [
        ...CASE_COLUMNS,
        ["÷ naive: time", "right"],
        ["requests", "right"],
        ["credits", "right"],
        ["÷ article: time", "right"],
        ["requests", "right"],
        ["credits", "right"],
      ],
      cases.map((result) => [
        ...caseCells(result),
        ...ratioCells(result.geobatch, result.naive, result.cells),
        ...ratioCells(result.geobatch, result.article, result.cells),
      ])
    ),
  ];
  if (cases.some((result) => result.naive.status === "skipped")) {
    lines.push(
      "",
      "† naive skipped: against its one request and one credit per cell, by construction."
    );
  }
  return lines;
}

function floorTable(cases: readonly CaseResult[]): string[] {
  return table(
    [
      ...CASE_COLUMNS,
      ["Unique", "right"],
      ["Submissions (floor)", "right"],
      ["Requests (floor)", "right"],
      ["Credits (floor)", "right"],
      ["Wall (floor)", "right"],
      ["Wall ÷ floor", "right"],
      ["Jobs in flight (peak)", "right"],
      ["Ready → collected (mean)", "right"],
      ["Invocation span", "right"],
    ],
    cases.map((result) => {
      const { geobatch, floor } = result;
      const { jobs } = result.geobatchDetail;
      return [
        ...caseCells(result),
        formatCount(result.unique),
        `${formatCount(geobatch.requests.submit)} (${formatCount(floor.submissions)})`,
        `${formatCount(geobatch.requests.total)} (${formatCount(floor.requests)})`,
        `${formatCount(geobatch.credits)} (${formatCount(floor.credits)})`,
        `${formatDuration(geobatch.wallMs)} (${formatDuration(floor.wallMs)})`,
        formatRatio(geobatch.wallMs / floor.wallMs),
        formatCount(jobs.peakInFlight),
        `${formatCount(jobs.meanCollectionDelayMs)} ms`,
        formatDuration(geobatch.invocationSpanMs),
      ];
    })
  );
}

function recalculationTable(cases: readonly CaseResult[]): string[] {
  return table(
    [
      ...CASE_COLUMNS,
      ["Requests", "right"],
      ["Wall", "right"],
      ["p50", "right"],
      ["p99", "right"],
      ["CPU µs/cell", "right"],
      ["Cells answered", "right"],
    ],
    cases.map((result) => {
      const { recalculation } = result.geobatchDetail;
      return [
        ...caseCells(result),
        formatCount(recalculation.requests),
        formatDuration(recalculation.wallMs),
        formatDuration(recalculation.settle.p50),
        formatDuration(recalculation.settle.p99),
        formatNumber(recalculation.cpuMicrosPerCell),
        formatCount(recalculation.cells.places + recalculation.cells.notFound),
      ];
    })
  );
}

function perCellTable(cases: readonly CaseResult[]): string[] {
  const ordered = [...cases].sort(
    (a, b) => a.duplicateShare - b.duplicateShare || a.cells - b.cells
  );
  return table(
    [
      ...CASE_COLUMNS,
      ["Wall ms / cell", "right"],
      ["Requests / 1,000 cells", "right"],
      ["Credits / cell", "right"],
      ["CPU µs / cell", "right"],
      ["Batcher µs / cell", "right"],
    ],
    ordered.map((result) => {
      const costs = perCellCosts(result);
      return [
        ...caseCells(result),
        formatNumber(costs["wall ms"], 3),
        formatNumber(costs.requests * 1000, 2),
        formatNumber(costs.credits, 3),
        formatNumber(costs["CPU µs"]),
        result.geobatchDetail.batcher.microsPerCell.toFixed(2),
      ];
    })
  );
}

function cacheLine(cacheHeap: CacheHeap): string {
  return (
    `${formatCount(cacheHeap.entries)} whole places (every forward field, ` +
    `${Math.round(cacheHeap.meanTextChars)} characters of text each on average) in a fresh ` +
    `memory-only GeocodeCache, stored 1,000 at a time as jobs bring them: ` +
    `${formatMegabytes(cacheHeap.heapBytes + cacheHeap.arrayBufferBytes)} ` +
    `(${formatMegabytes(cacheHeap.heapBytes)} JS heap delta + ` +
    `${formatMegabytes(cacheHeap.arrayBufferBytes)} typed arrays outside the heap), measured ` +
    `between full GCs; the cache's own estimate is ${formatMegabytes(cacheHeap.estimatedBytes)}.`
  );
}
