// The pane itself: Fluent components, the status line, progress, and the sections. Loaded by
// taskpane.ts with import(), after the custom functions registered; the map and the chart load
// later still, each as a chunk of its own.

import type { BatchChart } from "./chart";
import { ConnectionSection, type SectionContext } from "./connection";
import { el, section } from "./dom";
import { resolveHost, type HostAdapter } from "./host-adapter";
import type { WorldMap } from "./map";
import { runtime } from "./runtime-port";
import { AdvancedSection, FailedCellsSection, SheetSection } from "./sheet-tools";
import { actionLabel, statusOf, type StatusAction } from "./status";
import type { PaneModel } from "./view-model";
import { words } from "./wording";
import { paneCss } from "./pane-style";
import { followTheme } from "./theme";

/** How often the pane asks the scheduler for its state and refreshes timers (seconds left). */
const STATUS_INTERVAL_MS = 1000;
/** The least time between two redraws of the failed list, the chart and the map. */
const HEAVY_RENDER_MS = 500;
/** How often credits are read again without a "credits" event (the day may have rolled over). */
const CREDITS_INTERVAL_MS = 30_000;

export class Pane {
  private host: HostAdapter | undefined;
  private readonly statusText = el("p", { id: "status-text" });
  private readonly statusAction = el("fluent-button", {
    id: "status-action",
    appearance: "primary",
  });
  private readonly statusBox = el(
    "div",
    { id: "status", role: "status", "aria-live": "polite", "aria-label": words.status.label },
    this.statusText
  );
  private readonly counts = el("p", { id: "progress-counts" });
  private readonly progressBar = el("fluent-progress-bar", {
    id: "progress-bar",
    max: "1",
    value: "0",
    "aria-label": words.progress.barLabel,
  });
  private readonly chartSlot = el("div", { class: "chart-slot" });
  private readonly mapSlot = el("div", { class: "map-slot" }, el("p", {}, words.map.loading));
  private readonly connection: ConnectionSection;
  private readonly failed: FailedCellsSection;
  private readonly sheet: SheetSection;
  private readonly advanced: AdvancedSection;
  private chart: BatchChart | undefined;
  private map: WorldMap | undefined;
  private action: StatusAction | undefined;
  private renderedVersion = -1;
  private renderScheduled = false;
  private lastHeavyRender = -Infinity;
  /** How long the last heavy redraw took, in ms. */
  private heavyRenderCost = 0;
  private heavyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly model: PaneModel
  ) {
    const context: SectionContext = {
      model,
      runtime,
      // The workbench may install its host after the pane mounted.
      host: () => globalThis.geobatchHost ?? this.host,
      recalculate: (cells) => this.recalculate(cells),
    };
    this.connection = new ConnectionSection(context);
    this.failed = new FailedCellsSection(context);
    this.sheet = new SheetSection(context);
    this.advanced = new AdvancedSection(context);
    this.statusAction.hidden = true;
    this.statusAction.addEventListener("click", () => void this.runAction());
    this.statusBox.append(this.statusAction);
  }

  mount(): void {
    // A new theme repaints the canvases, whose colours come from the theme's tokens.
    followTheme(this.root, () => this.redrawVisuals());
    const style = el("style", {}, paneCss);
    this.root.replaceChildren(
      style,
      el("h1", {}, words.title),
      this.statusBox,
      this.connection.element,
      this.connection.credits,
      section(
        "progress",
        words.progress.heading,
        this.counts,
        this.progressBar,
        this.chartSlot,
        el("p", { class: "hint" }, words.progress.legend)
      ),
      this.failed.element,
      section(
        "map",
        words.map.heading,
        this.mapSlot,
        el("p", { class: "hint" }, words.map.confidence),
        el("p", { class: "hint" }, words.map.attribution)
      ),
      this.sheet.element,
      this.advanced.element
    );
    this.root.classList.add("geobatch-pane");
    void resolveHost().then((host) => (this.host = host));
    void this.connection.load().then(() => this.schedule());
    void this.advanced.load();
    void this.sheet.refreshCacheStats();
    void this.loadVisuals();
    void this.refreshCredits();
    setInterval(() => this.poll(), STATUS_INTERVAL_MS);
    setInterval(() => void this.refreshCredits(), CREDITS_INTERVAL_MS);
    this.render();
  }

  /** Renders at the next frame after a change; a burst of events is one render. */
  schedule(): void {
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    requestAnimationFrame(() => {
      this.renderScheduled = false;
      this.render();
    });
  }

  private poll(): void {
    // Undefined until the first request: the telemetry alone drives the status then.
    const status = runtime.status();
    if (status) this.model.setScheduler(status);
    // Timers ("retrying in 4 s", job ages) move even when no event arrives.
    this.renderStatus();
  }

  private async refreshCredits(): Promise<void> {
    const credits = await runtime.creditsToday().catch(() => undefined);
    if (credits) this.model.setCredits(credits);
    this.schedule();
  }

  private async loadVisuals(): Promise<void> {
    try {
      const [{ BatchChart }, { WorldMap }] = await Promise.all([
        import(/* webpackChunkName: "pane-chart" */ "./chart"),
        import(/* webpackChunkName: "pane-map" */ "./map"),
      ]);
      this.chart = new BatchChart(this.chartSlot);
      this.mapSlot.replaceChildren();
      this.map = new WorldMap(this.mapSlot);
      this.renderedVersion = -1;
      this.render();
    } catch {
      this.mapSlot.replaceChildren(el("p", { class: "error" }, words.map.failed));
    }
  }

  private redrawVisuals(): void {
    this.chart?.draw(this.model.batches);
    this.map?.draw(this.model.points());
  }

  private render(): void {
    this.renderStatus();
    if (this.model.version === this.renderedVersion) return;
    this.renderedVersion = this.model.version;
    const { queued, inFlight, done, failed } = this.model.progress();
    this.counts.textContent = words.progress.counts(queued, inFlight, done, failed);
    const total = queued + inFlight + done + failed;
    this.progressBar.setAttribute("value", String(total ? (done + failed) / total : 0));
    this.progressBar.setAttribute("aria-valuetext", words.progress.settled(done + failed, total));
    this.connection.render();
    this.renderHeavy();
  }

  /**
   * The parts that grow with the sheet (the failed list, the chart, the map of every point) at
   * most every HEAVY_RENDER_MS, and never more than a fifth of the time: a run of 100,000 cells
   * must not spend its frames redrawing them.
   */
  private renderHeavy(): void {
    const pause = Math.max(HEAVY_RENDER_MS, 4 * this.heavyRenderCost);
    const wait = this.lastHeavyRender + pause - performance.now();
    if (wait > 0) {
      this.heavyTimer ??= setTimeout(() => {
        this.heavyTimer = undefined;
        this.renderHeavy();
      }, wait);
      return;
    }
    const started = performance.now();
    this.failed.render();
    this.sheet.scheduleCacheStats();
    this.redrawVisuals();
    this.lastHeavyRender = performance.now();
    this.heavyRenderCost = this.lastHeavyRender - started;
  }

  private renderStatus(): void {
    const status = statusOf(this.model, Date.now());
    this.statusBox.dataset.tone = status.tone;
    if (this.statusText.textContent !== status.text) this.statusText.textContent = status.text;
    this.action = status.action;
    this.statusAction.hidden = !status.action;
    if (status.action) this.statusAction.textContent = actionLabel(status.action);
  }

  private async runAction(): Promise<void> {
    switch (this.action) {
      case "enter-key":
        return this.connection.keyInput.focus();
      case "check-key":
        return this.connection.checkKey();
      case "raise-budget":
        return this.connection.budgetInput.focus();
      case "set-rate":
        return this.connection.rateInput.focus();
      case "retry-failed":
        return this.failed.retryFailed();
    }
  }

  /** Recalculates these cells through the host; answers how many (0 without a host). */
  private async recalculate(cells: string[]): Promise<number> {
    const host = globalThis.geobatchHost ?? this.host;
    if (!host || cells.length === 0) return 0;
    await host.recalculate(cells);
    return cells.length;
  }
}
