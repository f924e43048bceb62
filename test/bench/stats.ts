// Percentiles and the number formats of the report.

import type { SheetRun } from "./invoker";

/** Settle latency percentiles, ms: per cell, from its invocation to its settlement. */
export interface Latencies {
  p50: number;
  p95: number;
  p99: number;
}

export function settleLatencies(run: SheetRun): Latencies {
  const latencies = run.settledAt.map((settledAt, cell) => settledAt - run.invokedAt[cell]);
  latencies.sort();
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatCount(value: number): string {
  return integer.format(value);
}

/** Up to `digits` decimals, thousands separated: 1,234.5. */
export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** Milliseconds as "2.4 ms" below 10 ms, "850 ms" below 10 s, else "62.4 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return ms < 10_000 ? `${formatCount(ms)} ms` : `${formatNumber(ms / 1000)} s`;
}

/** A ratio as "0.012×", with enough digits to tell small ratios apart. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "n/a";
  const digits = ratio >= 10 ? 0 : ratio >= 0.1 ? 2 : 4;
  return `${ratio.toFixed(digits)}×`;
}

export function formatPercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

const MEGABYTE = 1024 * 1024;

export function formatMegabytes(bytes: number): string {
  return `${(bytes / MEGABYTE).toFixed(1)} MB`;
}
