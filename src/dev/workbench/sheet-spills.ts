// Excel's spill rules for the workbench's sheet: an array result spills right and down from its
// formula's cell; a range that is not blank (or runs off the sheet) shows #SPILL! until it is
// cleared, a value typed into a spilled range blocks the spill, and a freed cell lets the spills
// it blocked try again.

import { ErrorCode } from "./host";
import { type FormulaState, SheetStore } from "./sheet-store";
import { cellError } from "./values";

export abstract class SpillingSheet extends SheetStore {
  /** Shows a result: in the cell, or spilled from it when the range is free. */
  protected place(key: number, state: FormulaState): void {
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

  protected releaseSpill(key: number, state: FormulaState): void {
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
  protected blockSpill(owner: number, cell: number): void {
    const state = this.cells.get(owner)?.formula;
    if (!state) return;
    this.releaseSpill(owner, state);
    state.blockers = [cell];
    const blocked = this.blockedSpills.get(cell) ?? new Set();
    blocked.add(owner);
    this.blockedSpills.set(cell, blocked);
    this.setValue(owner, state, cellError("#SPILL!", "The spill range isn't blank"));
  }

  protected unblock(key: number, state: FormulaState): void {
    for (const blocker of state.blockers) this.blockedSpills.get(blocker)?.delete(key);
    state.blockers = [];
  }

  /** `freed` is blank now: spills it blocked may fit. */
  protected retryBlockedSpills(freed: number): void {
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
}
