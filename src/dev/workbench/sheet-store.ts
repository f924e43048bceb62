// The sheet's storage and bookkeeping: what each cell holds, which formulas reference which
// cells, which cells a spill fills, how many formulas are #BUSY!, and the change notifications
// the grid repaints on. The rules of calculation live in sheet.ts, which extends this.

import { type CellRef, type Formula, MAX_COLUMNS, formatRef } from "./formula";
import type { PendingCall } from "./host";
import { sameValue } from "./arguments";
import { BLANK, type CellValue } from "./values";

export interface FormulaState {
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

export interface Cell {
  readonly input: string;
  readonly literal: CellValue;
  readonly formula: FormulaState | undefined;
}

export abstract class SheetStore {
  readonly columns: number;
  readonly name: string;
  protected readonly cells = new Map<number, Cell>();
  /** Formula cells by the keys they reference. */
  protected readonly dependants = new Map<number, Set<number>>();
  /** Spilled cells by the formula cell whose result fills them. */
  protected readonly spillOwners = new Map<number, number>();
  /** Formula cells whose spill a cell blocks, by that cell. */
  protected readonly blockedSpills = new Map<number, Set<number>>();
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;
  private idleWaiters: Array<() => void> = [];
  private busyCount = 0;
  protected lastRow = -1;

  constructor(columns: number, name: string) {
    this.columns = columns;
    this.name = name;
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

  protected key(ref: CellRef): number {
    return ref.row * MAX_COLUMNS + ref.column;
  }

  protected refOf(key: number): CellRef {
    return { row: Math.floor(key / MAX_COLUMNS), column: key % MAX_COLUMNS };
  }

  protected valueAt(key: number): CellValue {
    const cell = this.cells.get(key);
    if (cell) return cell.formula ? cell.formula.value : cell.literal;
    const owner = this.spillOwners.get(key);
    if (owner === undefined) return BLANK;
    const result = this.cells.get(owner)?.formula?.result;
    const at = this.refOf(key);
    const origin = this.refOf(owner);
    return result?.[at.row - origin.row]?.[at.column - origin.column] ?? BLANK;
  }

  /** Whether a formula reachable from `refs` references `target` (a circular reference). */
  protected reaches(refs: number[], target: number, visited: Set<number>): boolean {
    for (const ref of refs) {
      if (ref === target) return true;
      if (visited.has(ref)) continue;
      visited.add(ref);
      const formula = this.cells.get(ref)?.formula;
      if (formula && this.reaches(formula.refs, target, visited)) return true;
    }
    return false;
  }

  protected setBusy(state: FormulaState, busy: boolean): void {
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
  protected setValue(key: number, state: FormulaState, value: CellValue): void {
    if (sameValue(state.value, value)) return;
    state.value = value;
    this.valueChanged(key);
  }

  protected valueChanged(key: number): void {
    this.scheduleNotify();
    const dependants = this.dependants.get(key);
    if (!dependants) return;
    for (const dependant of [...dependants]) {
      const state = this.cells.get(dependant)?.formula;
      if (state) this.evaluate(dependant, state);
    }
  }

  protected addDependant(ref: number, dependant: number): void {
    const set = this.dependants.get(ref) ?? new Set();
    set.add(dependant);
    this.dependants.set(ref, set);
  }

  protected scheduleNotify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    queueMicrotask(() => {
      this.notifyScheduled = false;
      for (const listener of this.listeners) listener();
    });
  }

  protected address(ref: CellRef): string {
    return `${this.name}!${formatRef(ref)}`;
  }
  /** Calculates one formula again: what a change to a cell it references sets off. */
  protected abstract evaluate(key: number, state: FormulaState): void;
}
