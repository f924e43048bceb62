// The sections that act on the sheet and the cache: failed cells (select, retry), freeze as
// values, clear cache, forget selected, and the advanced settings.

import type { SectionContext } from "./connection";
import { button, el, messageLine, nameMessageLines, say, section, setDisabled } from "./dom";
import { textOf, type FluentDialog, type FluentInput, type FluentSwitch } from "./fluent";
import { cellsInSelection } from "./cell-addresses";
import { planFreeze, type FreezeStep } from "./host-adapter";
import { NUMBER_RULES, validateNumber } from "./validation";
import { cellId } from "./view-model";
import { words } from "./wording";

/** How long after the last cell event the cache's figures are read again. */
const CACHE_STATS_DELAY_MS = 500;

/** Failed cells listed at most; the rest are counted ("and 120 more"). */
const FAILED_SHOWN = 200;

export class FailedCellsSection {
  readonly element: HTMLElement;
  private readonly list = el("ul", { id: "failed-list", class: "failed-list" });
  private readonly message = messageLine("failed-message");
  private readonly retry = button("retry-failed", words.actions.retryFailed);
  private shownVersion = -1;

  constructor(private readonly context: SectionContext) {
    this.retry.addEventListener("click", () => void this.retryFailed());
    this.element = section("failed", words.failed.heading, this.list, this.retry, this.message);
  }

  async retryFailed(): Promise<void> {
    const cells = this.context.model.failedCells().flatMap((c) => (c.cell ? [c.cell] : []));
    const count = await this.context.recalculate(cells);
    if (count > 0) say(this.message, words.failed.retried(count));
  }

  render(): void {
    const { model } = this.context;
    if (model.version === this.shownVersion) return;
    this.shownVersion = model.version;
    const failed = model.failedCells();
    setDisabled(this.retry, failed.length === 0);
    if (failed.length === 0) {
      this.list.replaceChildren(el("li", { class: "empty" }, words.failed.none));
      return;
    }
    const items = failed.slice(0, FAILED_SHOWN).map((cell) => {
      const reference = cell.cell ?? cellId(cell);
      const select = el("fluent-button", { appearance: "transparent", size: "small" }, reference);
      select.setAttribute("aria-label", words.failed.select(reference));
      select.addEventListener("click", () => void this.select(cell.cell));
      return el(
        "li",
        { "data-cell": reference },
        select,
        el("span", { class: "failed-input" }, cell.input),
        el("span", { class: "failed-reason" }, cell.message ?? "")
      );
    });
    if (failed.length > FAILED_SHOWN) {
      items.push(el("li", { class: "more" }, `… ${failed.length - FAILED_SHOWN} more`));
    }
    this.list.replaceChildren(...items);
  }

  private async select(cell: string | undefined): Promise<void> {
    const host = this.context.host();
    if (!host || !cell) return say(this.message, words.failed.noHost, true);
    await host.selectCell(cell);
  }
}

export class SheetSection {
  readonly element: HTMLElement;
  private readonly message = messageLine("sheet-message");
  private readonly cacheLine = el("p", { id: "cache-stats" });
  private readonly dialog: FluentDialog;
  private statsTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingFreeze: { steps: FreezeStep[]; skipped: number } = { steps: [], skipped: 0 };

  constructor(private readonly context: SectionContext) {
    const freeze = button("freeze", words.sheet.freeze);
    freeze.addEventListener("click", () => void this.askFreeze());
    const clear = button("clear-cache", words.sheet.clearCache);
    clear.addEventListener("click", () => void this.clearCache());
    const forget = button("forget-selected", words.sheet.forget);
    forget.addEventListener("click", () => void this.forgetSelected());
    const confirm = button("freeze-confirm", words.sheet.freezeConfirm, "primary");
    confirm.setAttribute("slot", "action");
    confirm.addEventListener("click", () => void this.freeze());
    const cancel = button("freeze-cancel", words.sheet.cancel);
    cancel.setAttribute("slot", "action");
    cancel.addEventListener("click", () => this.dialog.hide());
    this.dialog = el(
      "fluent-dialog",
      // Named by aria-label: Fluent passes it to the <dialog> in its shadow root, where an
      // aria-labelledby id from the page would point at nothing.
      { id: "freeze-dialog", type: "modal", "aria-label": words.sheet.freezeTitle },
      el(
        "fluent-dialog-body",
        {},
        el("h2", { slot: "title", id: "freeze-title" }, words.sheet.freezeTitle),
        el("p", {}, words.sheet.freezeBody),
        cancel,
        confirm
      )
    ) as FluentDialog;
    this.element = section(
      "sheet",
      words.sheet.heading,
      el("div", { class: "row" }, freeze, forget, clear),
      this.cacheLine,
      this.message,
      this.dialog
    );
  }

  /** Reads the cache's figures again shortly: a run stores its answers as its jobs finish. */
  scheduleCacheStats(): void {
    clearTimeout(this.statsTimer);
    this.statsTimer = setTimeout(() => void this.refreshCacheStats(), CACHE_STATS_DELAY_MS);
  }

  async refreshCacheStats(): Promise<void> {
    const stats = await this.context.runtime.cacheStats().catch(() => undefined);
    this.cacheLine.textContent = stats
      ? words.sheet.cacheStats(stats.entries, stats.storedBytes)
      : "";
  }

  private async askFreeze(): Promise<void> {
    const host = this.context.host();
    if (!host) return say(this.message, words.failed.noHost, true);
    this.pendingFreeze = await planFreeze(host, await host.selectedAddresses());
    const { steps, skipped } = this.pendingFreeze;
    if (steps.length > 0) return this.dialog.show();
    say(
      this.message,
      skipped > 0 ? words.sheet.nothingFrozen(skipped) : words.sheet.nothingToFreeze
    );
  }

  private async freeze(): Promise<void> {
    this.dialog.hide();
    const host = this.context.host();
    const { steps, skipped } = this.pendingFreeze;
    this.pendingFreeze = { steps: [], skipped: 0 };
    if (!host) return;
    for (const { address, values } of steps) await host.writeValues(address, values);
    say(this.message, words.sheet.frozen(steps.length, skipped));
  }

  private async clearCache(): Promise<void> {
    await this.context.runtime.clearCache();
    say(this.message, words.sheet.cleared);
    await this.refreshCacheStats();
  }

  private async forgetSelected(): Promise<void> {
    const { model, runtime } = this.context;
    const host = this.context.host();
    if (!host) return say(this.message, words.failed.noHost, true);
    const selected = new Set(
      cellsInSelection([...model.cells.keys()], await host.selectedAddresses())
    );
    const keys = [...new Set([...selected].flatMap((cell) => model.cells.get(cell)?.keys ?? []))];
    if (keys.length === 0) return say(this.message, words.sheet.nothingToForget);
    say(this.message, words.sheet.forgot(await runtime.forget(keys)));
    await this.refreshCacheStats();
  }
}

/** The advanced fields, in the order shown. */
const ADVANCED = ["windowMs", "jobTimeoutMs", "foundTtlDays", "notFoundTtlDays"] as const;

export class AdvancedSection {
  readonly element: HTMLElement;
  private readonly fields: Array<{ input: FluentInput; message: HTMLElement }>;
  private readonly message = messageLine("advanced-message");
  private readonly singleEdits = el("fluent-switch", {
    id: "advanced-single-edits",
    "aria-label": words.advanced.singleEdits,
  }) as FluentSwitch;

  constructor(private readonly context: SectionContext) {
    this.fields = ADVANCED.map((setting) => {
      const rule = NUMBER_RULES[setting];
      return {
        input: el(
          "fluent-text-input",
          { id: `advanced-${setting}`, inputmode: "decimal" },
          `${rule.label} (${rule.unit})`
        ) as FluentInput,
        message: messageLine(`advanced-${setting}-message`),
      };
    });
    const save = button("save-advanced", words.advanced.save);
    save.addEventListener("click", () => void this.save());
    // A switch takes effect as it is flipped, like Excel's own options: no Save needed.
    this.singleEdits.addEventListener("change", () => void this.saveSingleEdits());
    const item = el(
      "fluent-accordion-item",
      {},
      el("span", { slot: "heading" }, words.advanced.heading),
      el("label", {}, this.singleEdits, words.advanced.singleEdits),
      ...this.fields.flatMap(({ input, message }) => [input, message]),
      save,
      this.message
    );
    this.element = el(
      "section",
      { id: "advanced", "aria-label": words.advanced.heading },
      el("fluent-accordion", {}, item)
    );
    nameMessageLines(this.element, words.advanced.heading);
  }

  async load(): Promise<void> {
    this.singleEdits.checked = await this.context.runtime.singleEdits().catch(() => false);
    const limits = await this.context.runtime.limits().catch(() => undefined);
    if (!limits) return;
    ADVANCED.forEach((setting, index) => {
      const shown = limits[setting] / NUMBER_RULES[setting].factor;
      this.fields[index].input.value ||= String(shown);
    });
  }

  private async saveSingleEdits(): Promise<void> {
    const on = this.singleEdits.checked;
    await this.context.runtime.setSingleEdits(on);
    say(this.message, on ? words.advanced.singleEditsOn : words.advanced.singleEditsOff);
  }

  private async save(): Promise<void> {
    const checked = ADVANCED.map((setting, index) => {
      const { input, message } = this.fields[index];
      const result = validateNumber(textOf(input), NUMBER_RULES[setting]);
      say(message, result.ok ? "" : result.message, !result.ok);
      return result;
    });
    if (checked.some((result) => !result.ok)) return;
    await Promise.all(
      ADVANCED.map((setting, index) => {
        const result = checked[index];
        return this.context.runtime.setNumber(setting, result.ok ? result.value : undefined);
      })
    );
    say(this.message, words.advanced.saved);
  }
}
