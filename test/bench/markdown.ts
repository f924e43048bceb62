// Markdown tables and the verdicts of the report.

import type { TargetResult } from "./targets";

export type Align = "left" | "right";

export function table(
  columns: ReadonlyArray<[title: string, align: Align]>,
  rows: string[][]
): string[] {
  return [
    row(columns.map(([title]) => title)),
    row(columns.map(([, align]) => (align === "right" ? "---:" : "---"))),
    ...rows.map(row),
  ];
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

export const dash = "—";

export function verdict(target: TargetResult): string {
  if (target.met === undefined) return "not measured";
  return target.met ? "PASS" : "**MISS**";
}
