// One worksheet: what each cell holds, what it shows, and Excel's rules for custom-function
// formulas that matter to GeoBatch:
// - a formula cell is one call; it shows #BUSY! until the call answers, and an argument that is
//   itself #BUSY! makes it wait rather than call;
// - an argument that is an error is propagated without calling the function;
// - editing, clearing or recalculating a cell cancels its pending call first;
// - a change to a cell recalculates the formulas that reference it, and only those;
// - an array result spills right and down; a spill range that is not blank shows #SPILL! until
//   it is cleared, and typing into a spilled range blocks the spill.
// It knows nothing of the DOM: the grid paints it, the host makes its calls.

import type { FunctionCall, FunctionMetadata, ParameterMetadata, PendingCall } from "./host";
import { ErrorCode } from "./host";
import {
  type CellRef,
  type Formula,
  FormulaSyntaxError,
  MAX_COLUMNS,
  formatFormula,
  formatRef,
  isFormula,
  parseFormula,
  parseLiteral,
  shiftFormula,
} from "./formula";
import { BLANK, BUSY, type CellValue, cellError, scalar } from "./values";

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

interface FormulaState {
  readonly formula: Formula | undefined;
  /** Why the formula could not be read, when it could not. */
  readonly syntaxError: string | undefined;
  /** Keys of the cells its arguments reference. */
  readonly refs: number[];
  /** What the cell itself shows. */
  value: CellValue;
  /** The last answer, kept so that a blocked spill can spill later without a new call. */
  result: CellValue[][] | undefined;
  /** Rows and columns this formula's spill occupies, when it spilled. */
  spill: { rows: number; columns: number } | undefined;
  /** Cells whose content blocks this formula's spill. */
  blockers: number[];
  call: PendingCall | undefined;
  /** Waiting for an argument or for its call. */
  busy: boolean;
}

interface Cell {
  readonly input: string;
  readonly literal: CellValue;
  readonly formula: FormulaState | undefined;
}

export class Sheet {
  readonly columns: number;
  readonly name: string;
  private readonly host: FunctionHost;
  private readonly cells = new Map<number, Cell>();
  /** Formula cells by the keys they reference. */
  private readonly dependants = new Map<number, Set<number>>();
  /** Spilled cells by the formula cell whose result fills them. */
  private readonly spillOwners = new Map<number, number>();
  /** Formula cells whose spill a cell blocks, by that cell. */
  private readonly blockedSpills = new Map<number, Set<number>>();
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;
  private idleWaiters: Array<() => void> = [];
  private busyCount = 0;
  private lastRow = -1;

  constructor(options: SheetOptions) {
    this.host = options.host;
    this.columns = Math.min(options.columns ?? 8, MAX_COLUMNS);
    this.name = options.name ?? "Sheet1";
  }

  /** Rows up to the last one ever written or spilled into. */
  get usedRows(): number {
    return this.lastRow + 1;
  }

  /** Formula cells showing #BUSY!. */
  get busyCells(): number {
    return this.busyCount;
  }

  input(ref: CellRef): string {
    return this.cells.get(this.key(ref))?.input ?? "";
  }

  value(ref: CellRef): CellValue {
    return this.valueAt(this.key(ref));
  }

  /** Calls `listener` (at most once per microtask) after any cell's input or value changed. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once no cell is #BUSY!. */
  whenIdle(): Promise<void> {
    if (this.busyCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Types `input` into a cell, as Enter in Excel's formula bar does; "" clears it. */
  setInput(ref: CellRef, input: string): void {
    if (ref.column >= this.columns || ref.row < 0 || ref.column < 0) return;
    const key = this.key(ref);
    const previous = this.cells.get(key);
    if (previous?.formula) this.retireFormula(key, previous.formula);

    if (input === "") {
      this.cells.delete(key);
    } else if (isFormula(input)) {
      this.cells.set(key, { input, literal: BLANK, formula: this.newFormula(input) });
    } else {
      this.cells.set(key, { input, literal: scalar(parseLiteral(input)), formula: undefined });
    }
    this.lastRow = Math.max(this.lastRow, ref.row);
    // After the cell holds its input, so that no other blocked spill can take the cell over.
    const owner = this.spillOwners.get(key);
    if (input !== "" && owner !== undefined) this.blockSpill(owner, key);

    const formula = this.cells.get(key)?.formula;
    if (formula) {
      for (const ref of formula.refs) this.addDependant(ref, key);
      // Its value goes from blank to #BUSY! or an answer, which reaches its dependants.
      this.evaluate(key, formula);
    } else {
      this.valueChanged(key);
    }
    if (input === "" || previous?.formula) this.retryBlockedSpills(key);
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

  private key(ref: CellRef): number {
    return ref.row * MAX_COLUMNS + ref.column;
  }

  private refOf(key: number): CellRef {
    return { row: Math.floor(key / MAX_COLUMNS), column: key % MAX_COLUMNS };
  }

  private valueAt(key: number): CellValue {
    const cell = this.cells.get(key);
    if (cell) return cell.formula ? cell.formula.value : cell.literal;
    const owner = this.spillOwners.get(key);
    if (owner === undefined) return BLANK;
    const result = this.cells.get(owner)?.formula?.result;
    const at = this.refOf(key);
    const origin = this.refOf(owner);
    return result?.[at.row - origin.row]?.[at.column - origin.column] ?? BLANK;
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

  private evaluate(key: number, state: FormulaState): void {
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
      const value = arg.kind === "literal" ? scalar(arg.value) : this.valueAt(this.key(arg.ref));
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

  private answer(key: number, state: FormulaState, cells: CellValue[][]): void {
    this.releaseSpill(key, state);
    this.unblock(key, state);
    state.result = cells;
    this.setBusy(state, false);
    this.place(key, state);
  }

  /** Shows a result: in the cell, or spilled from it when the range is free. */
  private place(key: number, state: FormulaState): void {
    const result = state.result;
    if (!result) return;
    const rows = result.length;
    const columns = result[0].length;
    if (rows === 1 && columns === 1) {
      this.setValue(key, state, result[0][0]);
      return;
    }
    const origin = this.refOf(key);
    const targets: number[] = [];
    const blockers: number[] = [];
    let outOfSheet = origin.column + columns > this.columns;
    for (let row = origin.row; row < origin.row + rows && !outOfSheet; row++) {
      for (let column = origin.column; column < origin.column + columns; column++) {
        const target = this.key({ row, column });
        if (target === key) continue;
        const owner = this.spillOwners.get(target);
        if (this.cells.has(target) || (owner !== undefined && owner !== key)) {
          blockers.push(target);
        }
        targets.push(target);
      }
    }
    if (state.refs.some((ref) => targets.includes(ref))) {
      this.setValue(key, state, cellError(ErrorCode.invalidReference, "Circular reference"));
      return;
    }
    if (outOfSheet || blockers.length > 0) {
      state.blockers = blockers;
      for (const blocker of blockers) {
        const blocked = this.blockedSpills.get(blocker) ?? new Set();
        blocked.add(key);
        this.blockedSpills.set(blocker, blocked);
      }
      this.setValue(key, state, cellError("#SPILL!", "The spill range isn't blank"));
      return;
    }
    state.spill = { rows, columns };
    for (const target of targets) {
      this.spillOwners.set(target, key);
      this.lastRow = Math.max(this.lastRow, this.refOf(target).row);
      this.valueChanged(target);
    }
    this.setValue(key, state, result[0][0]);
  }

  private releaseSpill(key: number, state: FormulaState): void {
    const spill = state.spill;
    if (!spill) return;
    state.spill = undefined;
    const origin = this.refOf(key);
    for (let row = origin.row; row < origin.row + spill.rows; row++) {
      for (let column = origin.column; column < origin.column + spill.columns; column++) {
        const target = this.key({ row, column });
        if (target === key || this.spillOwners.get(target) !== key) continue;
        this.spillOwners.delete(target);
        this.valueChanged(target);
        this.retryBlockedSpills(target);
      }
    }
  }

  /** A value typed into `cell`, which `owner`'s result fills, blocks that spill. */
  private blockSpill(owner: number, cell: number): void {
    const state = this.cells.get(owner)?.formula;
    if (!state) return;
    this.releaseSpill(owner, state);
    state.blockers = [cell];
    const blocked = this.blockedSpills.get(cell) ?? new Set();
    blocked.add(owner);
    this.blockedSpills.set(cell, blocked);
    this.setValue(owner, state, cellError("#SPILL!", "The spill range isn't blank"));
  }

  private unblock(key: number, state: FormulaState): void {
    for (const blocker of state.blockers) this.blockedSpills.get(blocker)?.delete(key);
    state.blockers = [];
  }

  /** `freed` is blank now: spills it blocked may fit. */
  private retryBlockedSpills(freed: number): void {
    const anchors = this.blockedSpills.get(freed);
    if (!anchors || anchors.size === 0) return;
    this.blockedSpills.delete(freed);
    for (const anchor of anchors) {
      const state = this.cells.get(anchor)?.formula;
      if (!state?.result || state.busy) continue;
      this.unblock(anchor, state);
      this.place(anchor, state);
    }
  }

  /** Whether a formula reachable from `refs` references `target` (a circular reference). */
  private reaches(refs: number[], target: number, visited: Set<number>): boolean {
    for (const ref of refs) {
      if (ref === target) return true;
      if (visited.has(ref)) continue;
      visited.add(ref);
      const formula = this.cells.get(ref)?.formula;
      if (formula && this.reaches(formula.refs, target, visited)) return true;
    }
    return false;
  }

  private setBusy(state: FormulaState, busy: boolean): void {
    if (state.busy === busy) return;
    state.busy = busy;
    this.busyCount += busy ? 1 : -1;
    if (this.busyCount === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Only a real change reaches dependants, which keeps circular chains from looping. */
  private setValue(key: number, state: FormulaState, value: CellValue): void {
    if (sameValue(state.value, value)) return;
    state.value = value;
    this.valueChanged(key);
  }

  private valueChanged(key: number): void {
    this.scheduleNotify();
    const dependants = this.dependants.get(key);
    if (!dependants) return;
    for (const dependant of [...dependants]) {
      const state = this.cells.get(dependant)?.formula;
      if (state) this.evaluate(dependant, state);
    }
  }

  private addDependant(ref: number, dependant: number): void {
    const set = this.dependants.get(ref) ?? new Set();
    set.add(dependant);
    this.dependants.set(ref, set);
  }

  private scheduleNotify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    queueMicrotask(() => {
      this.notifyScheduled = false;
      for (const listener of this.listeners) listener();
    });
  }

  private address(ref: CellRef): string {
    return `${this.name}!${formatRef(ref)}`;
  }
}

function sameValue(a: CellValue, b: CellValue): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "scalar" && b.kind === "scalar") return Object.is(a.value, b.value);
  if (a.kind === "error" && b.kind === "error") {
    return a.code === b.code && a.message === b.message;
  }
  return true;
}

/**
 * An argument as Excel hands it to a parameter of the declared type. For "any", an empty cell is
 * null, as in Excel on the web (desktop Excel passes 0); a value Excel cannot convert to the
 * declared type is #VALUE! and the function is not called.
 */
function coerce(
  value: CellValue,
  parameter: ParameterMetadata
): { kind: "ok"; value: unknown } | Extract<CellValue, { kind: "error" }> {
  const raw = value.kind === "scalar" ? value.value : undefined;
  switch (parameter.type) {
    case "string":
      if (raw === undefined) return { kind: "ok", value: "" };
      if (typeof raw === "boolean") return { kind: "ok", value: raw ? "TRUE" : "FALSE" };
      return { kind: "ok", value: String(raw) };
    case "number": {
      if (raw === undefined) return { kind: "ok", value: 0 };
      if (typeof raw === "boolean") return { kind: "ok", value: raw ? 1 : 0 };
      const number = typeof raw === "number" ? raw : parseLiteral(raw);
      return typeof number === "number"
        ? { kind: "ok", value: number }
        : { kind: "error", code: ErrorCode.invalidValue };
    }
    case "boolean": {
      if (raw === undefined) return { kind: "ok", value: false };
      if (typeof raw === "number") return { kind: "ok", value: raw !== 0 };
      const flag = typeof raw === "boolean" ? raw : parseLiteral(raw);
      return typeof flag === "boolean"
        ? { kind: "ok", value: flag }
        : { kind: "error", code: ErrorCode.invalidValue };
    }
    default:
      return { kind: "ok", value: raw ?? null };
  }
}
