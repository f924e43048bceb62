// The host adapter: what the task pane asks of Excel (select a cell, recalculate some cells,
// read formulas and values, write values), in one small interface the pane calls in Excel
// (through Office.js) and in the workbench alike. This file is the workbench's side; the page
// exposes it as `globalThis.geobatchHost`, where the pane finds it.
//
// Addresses are as a custom function's invocation.address gives them ("Sheet1!B2"); a bare
// "B2" means the workbench's only sheet. Values use Excel's JSON shapes (Range.valuesAsJson):
// numbers, text and booleans as themselves, blanks as null, an entity as Excel.EntityCellValue
// and an error as { type: "Error", basicValue: "#N/A" }.

import { toEntity } from "./entity";
import { type CellRef, formatRef, parseRange } from "./formula";
import type { Sheet } from "./sheet";
import { BLANK, type CellValue, type EntityValue, cellError, scalar } from "./values";

/** A cell's value as the pane reads and writes it. */
export type HostValue =
  number | string | boolean | null | EntityValue | { type: "Error"; basicValue: string };

export interface PaneHost {
  /** Selects the cell (or range) and brings it into view, as Range.select() does. */
  selectCell(address: string): Promise<void>;
  /** The selected cells, one address per cell, row by row ("Sheet1!B2", "Sheet1!C2", …). */
  selectedAddresses(): Promise<string[]>;
  /** Calculates just these cells again: their formulas are invoked anew (pending calls are
   * cancelled first); no other cell is touched. Resolves once the calls are made, not answered. */
  recalculate(addresses: string[]): Promise<void>;
  /** Per address, the cell's formula ("=GEO.LOCATION(A2)") or constant as typed; "" for a blank
   * cell and for a cell another formula spills into (it has no formula of its own). */
  readFormulas(addresses: string[]): Promise<string[]>;
  /** The cell's value; for a formula that spills, the whole block it fills, from its anchor. */
  readValues(address: string): Promise<HostValue[][]>;
  /** Writes constants with their top-left corner at `address`, replacing any formula there (an
   * entity stays an entity). With readFormulas and readValues, this is "freeze as values". */
  writeValues(address: string, values: HostValue[][]): Promise<void>;
}

/** What the adapter needs of the grid: moving and reading the selection. */
export interface Selection {
  select(ref: CellRef, extend?: boolean): void;
  readonly selection: { start: CellRef; end: CellRef };
}

export class WorkbenchHost implements PaneHost {
  constructor(
    private readonly sheet: Sheet,
    private readonly grid: Selection
  ) {}

  async selectCell(address: string): Promise<void> {
    const { start, end } = this.range(address);
    this.grid.select(start);
    if (end.row !== start.row || end.column !== start.column) this.grid.select(end, true);
  }

  async selectedAddresses(): Promise<string[]> {
    const { start, end } = this.grid.selection;
    const addresses: string[] = [];
    for (let row = start.row; row <= end.row; row++) {
      for (let column = start.column; column <= end.column; column++) {
        addresses.push(this.address({ row, column }));
      }
    }
    return addresses;
  }

  async recalculate(addresses: string[]): Promise<void> {
    this.sheet.recalculateCells(addresses.map((address) => this.cell(address)));
  }

  async readFormulas(addresses: string[]): Promise<string[]> {
    return addresses.map((address) => this.sheet.input(this.cell(address)));
  }

  async readValues(address: string): Promise<HostValue[][]> {
    return this.sheet.valueBlock(this.cell(address)).map((row) => row.map(toHostValue));
  }

  async writeValues(address: string, values: HostValue[][]): Promise<void> {
    const origin = this.cell(address);
    // Checked whole before anything is written: a bad value leaves the sheet as it was.
    const cells = values.map((row) => row.map(fromHostValue));
    cells.forEach((row, rowOffset) =>
      row.forEach((value, columnOffset) =>
        this.sheet.writeValue(
          { row: origin.row + rowOffset, column: origin.column + columnOffset },
          value
        )
      )
    );
  }

  private address(ref: CellRef): string {
    return `${this.sheet.name}!${formatRef(ref)}`;
  }

  private cell(address: string): CellRef {
    const { start, end } = this.range(address);
    if (start.row !== end.row || start.column !== end.column) {
      throw new Error(`${address} is a range; one cell was expected`);
    }
    return start;
  }

  private range(address: string): { start: CellRef; end: CellRef } {
    const separator = address.lastIndexOf("!");
    const sheetName = separator < 0 ? this.sheet.name : address.slice(0, separator);
    if (sheetName.replace(/^'(.*)'$/, "$1") !== this.sheet.name) {
      throw new Error(`No sheet named ${sheetName}: the workbench has ${this.sheet.name} only`);
    }
    const range = parseRange(address.slice(separator + 1));
    if (!range || range.end.column >= this.sheet.columns) {
      throw new Error(`Not a cell of ${this.sheet.name}: ${address}`);
    }
    return range;
  }
}

function toHostValue(value: CellValue): HostValue {
  switch (value.kind) {
    case "blank":
      return null;
    case "busy":
      return { type: "Error", basicValue: "#BUSY!" };
    case "error":
      return { type: "Error", basicValue: value.code };
    case "entity":
      return structuredClone(value.entity);
    case "scalar":
      return value.value;
  }
}

function fromHostValue(value: HostValue): CellValue {
  if (value === null) return BLANK;
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") {
    return scalar(value);
  }
  if (value.type === "Error" && "basicValue" in value && typeof value.basicValue === "string") {
    return cellError(value.basicValue);
  }
  const entity = toEntity(value);
  if (!entity) throw new TypeError(`Not a value a cell can hold: ${JSON.stringify(value)}`);
  return { kind: "entity", entity };
}
