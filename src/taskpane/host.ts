// The host adapter's contract: what the pane asks of the spreadsheet. Excel implements it with
// Office.js (excel-host.ts), the workbench with its grid (src/dev/workbench/pane-host.ts).
// Addresses are as invocation.address gives them ("Sheet1!B2"); values use Excel's JSON shapes
// (Range.valuesAsJson) reduced to what freezing needs.

/** An entity or an error, in Excel's JSON shape (Excel.EntityCellValue, Excel.ErrorCellValue). */
export interface RichValue {
  type: string;
  basicValue?: unknown;
  text?: string;
}

/** A cell's value as the pane reads and writes it. */
export type HostValue = number | string | boolean | null | RichValue;

export interface HostAdapter {
  /** Selects the cell (or range) and brings it into view, as Range.select() does. */
  selectCell(address: string): Promise<void>;
  /** The selected cells, one address per cell, row by row ("Sheet1!B2", "Sheet1!C2", …). */
  selectedAddresses(): Promise<string[]>;
  /** Calculates just these cells again: their formulas are invoked anew. Resolves once the calls
   * are made, not answered. */
  recalculate(addresses: string[]): Promise<void>;
  /** Per address, the cell's formula ("=GEO.LOCATION(A2)") or constant as typed; "" for a blank
   * cell and for a cell another formula spills into (it has no formula of its own). */
  readFormulas(addresses: string[]): Promise<string[]>;
  /** The cell's value; for a formula that spills, the whole block it fills, from its anchor. */
  readValues(address: string): Promise<HostValue[][]>;
  /** Writes constants with their top-left corner at `address`, replacing any formula there (an
   * entity stays an entity where the host can write one). */
  writeValues(address: string, values: HostValue[][]): Promise<void>;
}

declare global {
  // The workbench page sets this before the pane mounts; Excel has none (resolveHost).
  var geobatchHost: HostAdapter | undefined;
}
