// What the pane asks of the spreadsheet, in one interface: Excel implements it with Office.js
// (excel-host.ts), the workbench with its grid (it sets globalThis.geobatchHost). The pane
// decides what to do; the host only does it.

/** A cell value as the host reads it: a number, text, boolean, or an entity where supported. */
export type CellValue = unknown;

/** A range the host read: the anchor's address and, for a spill, the whole spilled block. */
export interface RangeContent {
  /** Where values would be written back: the anchor of a spill, else the range itself. */
  address: string;
  /** Formulas as typed (one per cell; "" or a value for cells without one). */
  formulas: unknown[][];
  /** Current values: the whole spill for a spill anchor, entities as entities where supported. */
  values: CellValue[][];
}

export interface HostAdapter {
  /** Goes to the cell, such as "Sheet1!B2". */
  selectCell(address: string): Promise<void>;
  /** Recalculates just these cells. */
  recalculate(addresses: string[]): Promise<void>;
  /** The addresses of the selected cells or ranges. */
  selectedAddresses(): Promise<string[]>;
  /** Formulas and values of these ranges, spills expanded from their anchor. */
  readFormulas(addresses: string[]): Promise<RangeContent[]>;
  /** Replaces the range's contents (formulas included) with these values. */
  writeValues(address: string, values: CellValue[][]): Promise<void>;
}

declare global {
  // The workbench page sets this before the pane mounts.
  var geobatchHost: HostAdapter | undefined;
}

/** A GEO.* formula: freezing and forgetting apply to these only. */
const GEO_FORMULA = /^=\s*(?:_xldudf_)?GEO\./i;

export function isGeoFormula(formula: unknown): boolean {
  return typeof formula === "string" && GEO_FORMULA.test(formula);
}

/**
 * What "Freeze as values" writes: each read range whose anchor holds a GEO formula, with its
 * current values (a whole spill from its anchor). Ranges without one are left alone.
 */
export function planFreeze(
  ranges: readonly RangeContent[]
): Array<{ address: string; values: CellValue[][] }> {
  return ranges
    .filter((range) => range.formulas.some((row) => row.some(isGeoFormula)))
    .map((range) => ({
      address: range.address,
      // Cells of a multi-cell selection without a GEO formula keep what they hold.
      values: range.values.map((row, r) =>
        row.map((value, c) => {
          const formula = range.formulas[r]?.[c];
          return typeof formula === "string" && formula.startsWith("=") && !isGeoFormula(formula)
            ? formula
            : value;
        })
      ),
    }));
}

/** Compares cell references loosely: "Sheet1!$B$2" and "sheet1!b2" are one cell. */
export function normaliseAddress(address: string): string {
  return address.replace(/\$/g, "").replace(/'/g, "").toUpperCase();
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

interface Area {
  sheet: string | undefined;
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** "Sheet1!B2:C5", "'My sheet'!$B$2" or "B2" as an area; undefined when it is no A1 reference. */
export function parseArea(address: string): Area | undefined {
  const bang = address.lastIndexOf("!");
  const sheet = bang < 0 ? undefined : normaliseAddress(address.slice(0, bang));
  const match = /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$/.exec(
    normaliseAddress(address.slice(bang + 1))
  );
  if (!match) return undefined;
  const [, c1, r1, c2 = c1, r2 = r1] = match;
  const [left, right] = [columnNumber(c1), columnNumber(c2)].sort((a, b) => a - b);
  const [top, bottom] = [Number(r1), Number(r2)].sort((a, b) => a - b);
  return { sheet, top, left, bottom, right };
}

function columnNumber(letters: string): number {
  return [...letters].reduce((n, letter) => n * 26 + letter.charCodeAt(0) - 64, 0);
}

/** The cells (such as "Sheet1!B2") that lie inside any of the selected areas. */
export function cellsInSelection(cells: readonly string[], selection: readonly string[]): string[] {
  const areas = selection.map(parseArea).filter((area): area is Area => area !== undefined);
  return cells.filter((cell) => {
    const point = parseArea(cell);
    return (
      point !== undefined &&
      areas.some(
        (area) =>
          (area.sheet === undefined || point.sheet === undefined || area.sheet === point.sheet) &&
          point.top >= area.top &&
          point.top <= area.bottom &&
          point.left >= area.left &&
          point.left <= area.right
      )
    );
  });
}
