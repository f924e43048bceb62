// The host adapter: what the task pane asks of Excel (select a cell, recalculate some cells,
// read formulas and values, write values), in one small interface the pane calls in Excel
// (through Office.js) and in the workbench alike; the interface is the pane's
// (src/taskpane/host-adapter.ts). This file is the workbench's side; the page exposes it as
// `globalThis.geobatchHost`, where the pane finds it.
//
// Addresses are as a custom function's invocation.address gives them ("Sheet1!B2"); a bare
// "B2" means the workbench's only sheet. Values use Excel's JSON shapes (Range.valuesAsJson):
// numbers, text and booleans as themselves, blanks as null, an entity as Excel.EntityCellValue
// and an error as { type: "Error", basicValue: "#N/A" }.

import type { HostAdapter, HostValue } from "../../taskpane/host-adapter";
import { toEntity } from "./entity";
import { type CellRef, formatRef, parseRange } from "./formula";
import type { Sheet } from "./sheet";
import { BLANK, type CellValue, cellError, scalar } from "./values";

/** What the adapter needs of the grid: moving and reading the selection. */
export interface Selection {
  select(ref: CellRef, extend?: boolean): void;
  readonly selection: { start: CellRef; end: CellRef };
}

export class WorkbenchHost implements HostAdapter {
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
  if (value.type === "Error" && typeof value.basicValue === "string") {
    return cellError(value.basicValue);
  }
  const entity = toEntity(value);
  if (!entity) throw new TypeError(`Not a value a cell can hold: ${JSON.stringify(value)}`);
  return { kind: "entity", entity };
}
