// Which host the pane talks to (the workbench's, else Excel's, loaded lazily) and what it asks
// of it: the formulas freezing applies to, and the plan that freezes them. The contract itself
// is in host.ts.

import type { HostAdapter, HostValue } from "./host";

export type { HostAdapter, HostValue, RichValue } from "./host";

/** A formula that calls a GEO function anywhere (=GEO.LAT(A2)*2 geocodes too): freezing applies
 * to these only. Excel may show an add-in's function as _xldudf_GEO_LAT while it loads. */
const GEO_FORMULA = /^=(?:.*?[^A-Z0-9_.])?(?:_xldudf_)?GEO[._][A-Z]+\s*\(/i;

export function isGeoFormula(formula: unknown): boolean {
  return typeof formula === "string" && GEO_FORMULA.test(formula);
}

/** What freezing one GEO formula writes: its values (a whole spill) from its anchor. */
export interface FreezeStep {
  address: string;
  values: HostValue[][];
}

/** A cell still calculating or showing an error: frozen, it would keep the error for good. */
function isUnsettled(value: HostValue): boolean {
  return typeof value === "object" && value !== null && value.type === "Error";
}

/**
 * What "Freeze as values" writes for these cells: each one holding a GEO formula, with its
 * current values (a spill's whole block, from its anchor). Cells without one are left alone, and
 * so are GEO cells still busy or failed, so that they can be retried.
 */
export async function planFreeze(
  host: HostAdapter,
  addresses: readonly string[]
): Promise<{ steps: FreezeStep[]; skipped: number }> {
  const formulas = await host.readFormulas([...addresses]);
  const geoCells = addresses.filter((_, index) => isGeoFormula(formulas[index]));
  const blocks = await Promise.all(geoCells.map((address) => host.readValues(address)));
  const steps: FreezeStep[] = [];
  blocks.forEach((values, index) => {
    if (!values.some((row) => row.some(isUnsettled))) {
      steps.push({ address: geoCells[index], values });
    }
  });
  return { steps, skipped: geoCells.length - steps.length };
}

/**
 * The host to use: the workbench's when the page provides one, else Excel's when running in
 * Excel (loaded lazily: Office.js code the workbench never needs), else none.
 */
export async function resolveHost(): Promise<HostAdapter | undefined> {
  if (globalThis.geobatchHost) return globalThis.geobatchHost;
  if (typeof Office !== "undefined" && typeof Excel !== "undefined") {
    const { excelHost } = await import(/* webpackChunkName: "pane-excel" */ "./excel-host");
    return excelHost;
  }
  return undefined;
}
