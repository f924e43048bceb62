// One worksheet: what each cell holds, what it shows, and Excel's rules for custom-function
// formulas that matter to GeoBatch:
// - a formula cell is one call; it shows #BUSY! until the call answers, and an argument that is
//   itself #BUSY! makes it wait rather than call;
// - an argument that is an error is propagated without calling the function;
// - editing, clearing or recalculating a cell cancels its pending call first;
// - a change to a cell recalculates the formulas that reference it, and only those;
// - an array result spills right and down; a spill range that is not blank shows #SPILL! until
//   it is cleared, and typing into a spilled range blocks the spill;
// - =E2.Latitude reads a field of the entity in E2 (#FIELD! when it has none) and, like any
//   reference, follows E2's changes.
// It knows nothing of the DOM: the grid paints it, the host makes its calls.

import { coerce } from "./arguments";
import type { FormulaState } from "./sheet-store";
import { SpillingSheet } from "./sheet-spills";
import { fieldOf } from "./entity";
import type { FunctionCall, FunctionMetadata, PendingCall } from "./host";
import { ErrorCode } from "./host";
import {
  type CellRef,
  type Formula,
  type FormulaArgument,
  FormulaSyntaxError,
  MAX_COLUMNS,
  formatFormula,
  formatRef,
  isFormula,
  parseFormula,
  parseLiteral,
  shiftFormula,
} from "./formula";
import { BLANK, BUSY, type CellValue, cellError, displayText, scalar } from "./values";

/** What the sheet needs from the host stand-in. */
export interface FunctionHost {
  lookup(formulaName: string): FunctionMetadata | undefined;
  call(request: FunctionCall): PendingCall;
}

export interface SheetOptions {
  host: FunctionHost;
  /** Columns A.. up to Z; a spill past the last one is blocked. Default 8 (A to H). */
  columns?: number;
  /** Used in invocation addresses ("Sheet1!B2"). Default "Sheet1". */
  name?: string;
}

export class Sheet extends SpillingSheet {
  private readonly host: FunctionHost;

  constructor(options: SheetOptions) {
    super(Math.min(options.columns ?? 8, MAX_COLUMNS), options.name ?? "Sheet1");
    this.host = options.host;
  }

  /** Types `input` into a cell, as Enter in Excel's formula bar does; "" clears it. */
  setInput(ref: CellRef, input: string): void {
    const literal = input === "" ? BLANK : scalar(parseLiteral(input));
    this.put(ref, input, isFormula(input) ? undefined : literal);
  }

  /** Writes a constant, as Office.js's range.values does: an entity stays an entity (its text
   * is what the formula bar shows), an error stays that error. */
  writeValue(ref: CellRef, value: CellValue): void {
    if (value.kind === "busy") throw new Error("#BUSY! is not a value a cell can hold");
    const input = value.kind === "blank" ? "" : displayText(value);
    this.put(ref, input, value);
  }

  /** The block a formula cell's answer fills (its whole spill, or 1×1); a constant's value. */
  valueBlock(ref: CellRef): CellValue[][] {
    const state = this.cells.get(this.key(ref))?.formula;
    if (state?.spill && state.result) return state.result.map((row) => [...row]);
    return [[this.value(ref)]];
  }

  /** Calculates just these cells' formulas again (cancelling their pending calls first); other
   * formulas are recalculated only when a value they reference changes. */
  recalculateCells(refs: CellRef[]): void {
    for (const ref of refs) {
      const key = this.key(ref);
      const formula = this.cells.get(key)?.formula;
      if (formula) this.evaluate(key, formula);
    }
  }

  /** Puts `input` in a cell, with `literal` as its value (a formula when undefined). */
  private put(ref: CellRef, input: string, literal: CellValue | undefined): void {
    if (ref.column >= this.columns || ref.row < 0 || ref.column < 0) return;
    const key = this.key(ref);
    const previous = this.cells.get(key);
    if (previous?.formula) this.retireFormula(key, previous.formula);

    const blank = literal?.kind === "blank";
    if (blank) {
      this.cells.delete(key);
    } else if (!literal) {
      this.cells.set(key, { input, literal: BLANK, formula: this.newFormula(input) });
    } else {
      this.cells.set(key, { input, literal, formula: undefined });
    }
    this.lastRow = Math.max(this.lastRow, ref.row);
    // After the cell holds its input, so that no other blocked spill can take the cell over.
    const owner = this.spillOwners.get(key);
    if (!blank && owner !== undefined) this.blockSpill(owner, key);

    const formula = this.cells.get(key)?.formula;
    if (formula) {
      for (const ref of formula.refs) this.addDependant(ref, key);
      // Its value goes from blank to #BUSY! or an answer, which reaches its dependants.
      this.evaluate(key, formula);
    } else {
      this.valueChanged(key);
    }
    if (blank || previous?.formula) this.retryBlockedSpills(key);
  }

  /** Pastes a block of inputs with its top-left corner at `start`; cells past the last column
   * are dropped. */
  setInputs(start: CellRef, rows: string[][]): void {
    rows.forEach((row, rowOffset) =>
      row.forEach((input, columnOffset) =>
        this.setInput({ row: start.row + rowOffset, column: start.column + columnOffset }, input)
      )
    );
  }

  clear(start: CellRef, end: CellRef): void {
    for (let row = start.row; row <= end.row; row++) {
      for (let column = start.column; column <= end.column; column++) {
        if (this.cells.has(this.key({ row, column }))) this.setInput({ row, column }, "");
      }
    }
  }

  /** Every formula again, as Ctrl+Alt+F9: pending calls are cancelled and made anew. */
  recalculate(): void {
    const keys = [...this.cells.keys()].sort((a, b) => a - b);
    for (const key of keys) {
      const formula = this.cells.get(key)?.formula;
      if (formula) this.evaluate(key, formula);
    }
  }

  /**
   * Copies the formula in `source` down its column to every later row whose column A holds
   * something, moving relative references as Excel's fill does. Returns the cells written.
   */
  fillDown(source: CellRef): number {
    const formula = this.cells.get(this.key(source))?.formula?.formula;
    if (!formula) return 0;
    let written = 0;
    for (let row = source.row + 1; row <= this.lastRow; row++) {
      if (!this.cells.has(this.key({ row, column: 0 }))) continue;
      const shifted = shiftFormula(formula, row - source.row);
      if (!shifted) continue;
      this.setInput({ row, column: source.column }, formatFormula(shifted));
      written++;
    }
    return written;
  }

  private newFormula(input: string): FormulaState {
    let formula: Formula | undefined;
    let syntaxError: string | undefined;
    try {
      formula = parseFormula(input);
    } catch (error) {
      if (!(error instanceof FormulaSyntaxError)) throw error;
      syntaxError = error.message;
    }
    const refs = (formula?.args ?? []).flatMap((arg) =>
      arg.kind === "reference" ? [this.key(arg.ref)] : []
    );
    return {
      formula,
      syntaxError,
      refs,
      value: BLANK,
      result: undefined,
      spill: undefined,
      blockers: [],
      call: undefined,
      busy: false,
    };
  }

  /** The formula is leaving its cell: nothing of it may answer, spill or wait any more. */
  private retireFormula(key: number, state: FormulaState): void {
    state.call?.cancel();
    state.call = undefined;
    this.setBusy(state, false);
    this.releaseSpill(key, state);
    this.unblock(key, state);
    for (const ref of state.refs) this.dependants.get(ref)?.delete(key);
  }

  protected evaluate(key: number, state: FormulaState): void {
    state.call?.cancel();
    state.call = undefined;
    this.releaseSpill(key, state);
    this.unblock(key, state);
    state.result = undefined;

    const formula = state.formula;
    if (!formula) {
      this.answer(key, state, [[cellError(ErrorCode.invalidName, state.syntaxError)]]);
      return;
    }
    if (formula.functionName === undefined) {
      this.evaluateValue(key, state, formula.args[0]);
      return;
    }
    const metadata = this.host.lookup(formula.functionName);
    if (!metadata) {
      this.answer(key, state, [
        [cellError(ErrorCode.invalidName, `Unknown function ${formula.functionName}`)],
      ]);
      return;
    }
    if (this.reaches(state.refs, key, new Set())) {
      this.answer(key, state, [[cellError(ErrorCode.invalidReference, "Circular reference")]]);
      return;
    }
    const parameters = metadata.parameters ?? [];
    const required = parameters.filter((parameter) => !parameter.optional).length;
    if (formula.args.length > parameters.length || formula.args.length < required) {
      const expected =
        required === parameters.length ? `${required}` : `${required} to ${parameters.length}`;
      const noun = parameters.length === 1 ? "argument" : "arguments";
      this.answer(key, state, [
        [cellError(ErrorCode.invalidValue, `${formula.functionName} takes ${expected} ${noun}`)],
      ]);
      return;
    }

    const args: unknown[] = [];
    const parameterAddresses: string[] = [];
    for (const [index, parameter] of parameters.entries()) {
      const arg = formula.args[index] ?? { kind: "missing" };
      if (arg.kind === "missing") {
        args.push(null);
        parameterAddresses.push("");
        continue;
      }
      const value = this.argumentValue(arg);
      if (value.kind === "busy") {
        // It calls once the argument settles: valueChanged re-evaluates dependants.
        this.setBusy(state, true);
        this.setValue(key, state, BUSY);
        return;
      }
      if (value.kind === "error") {
        this.answer(key, state, [[value]]);
        return;
      }
      const coerced = coerce(value, parameter);
      if (coerced.kind === "error") {
        this.answer(key, state, [[coerced]]);
        return;
      }
      args.push(parameter.dimensionality === "matrix" ? [[coerced.value]] : coerced.value);
      parameterAddresses.push(arg.kind === "reference" ? this.address(arg.ref) : "");
    }

    this.setBusy(state, true);
    this.setValue(key, state, BUSY);
    state.call = this.host.call({
      id: metadata.id,
      args,
      address: this.address(this.refOf(key)),
      parameterAddresses,
      onResult: (cells) => {
        if (this.cells.get(key)?.formula === state) this.answer(key, state, cells);
      },
    });
  }

  /** A formula that is one value, such as =E2.Latitude: it shows that value, or waits for it. */
  private evaluateValue(key: number, state: FormulaState, arg: FormulaArgument): void {
    if (this.reaches(state.refs, key, new Set())) {
      this.answer(key, state, [[cellError(ErrorCode.invalidReference, "Circular reference")]]);
      return;
    }
    const value = this.argumentValue(arg);
    if (value.kind === "busy") {
      this.setBusy(state, true);
      this.setValue(key, state, BUSY);
      return;
    }
    this.answer(key, state, [[value]]);
  }

  /** What an argument stands for: a literal, a cell's value, or a field of the entity in it. */
  private argumentValue(arg: FormulaArgument): CellValue {
    if (arg.kind === "missing") return BLANK;
    if (arg.kind === "literal") return scalar(arg.value);
    let value = this.valueAt(this.key(arg.ref));
    let where = formatRef(arg.ref);
    for (const field of arg.fields) {
      value = fieldOf(value, field, where);
      where = `${where}.${field}`;
    }
    return value;
  }

  private answer(key: number, state: FormulaState, cells: CellValue[][]): void {
    this.releaseSpill(key, state);
    this.unblock(key, state);
    state.result = cells;
    this.setBusy(state, false);
    this.place(key, state);
  }
}
