// Controls for the dev emulator's limits, so the workbench can show what GeoBatch does at
// Geoapify's real rate, during an outage and with slow jobs. They speak the emulator's control
// endpoint on its own origin: POST {base}/__emulator/modes with the modes to change, and
// GET {base}/__emulator/stats for what it has answered. Shown only where an emulator is the
// endpoint: the dev server's /emulator proxy, or a saved endpoint on this machine.

import { SETTING_KEYS } from "../../settings/settings";

declare const GEOBATCH_EMULATOR_PATH: string | undefined;

/** The modes the endpoint takes; a field left out keeps its current setting. */
export interface EmulatorModesRequest {
  /** Requests answered per rolling second before 429s; 0 for no limit. */
  rateLimitPerSecond?: number;
  /** Answer every request 429 for this many seconds from now. */
  outageSeconds?: number;
  /** How long a batch job stays pending. */
  jobMs?: number;
}

/** What the stats endpoint answers, as far as the workbench reads it (the emulator's own type
 * is Node-side: src/dev/emulator/types.ts). */
export interface EmulatorStats {
  /** API requests answered (not preflights, not control calls). */
  total: number;
  /** API requests by kind ("submit", "poll", "single"), then by HTTP status ("200", "429"). */
  byKind: Record<string, Record<string, number>>;
  /** 429s answered by each emulated limit. */
  rejected: { rate: number; outage: number; quota: number };
}

/** How often the stats are read while the controls are open. */
const STATS_INTERVAL_MS = 1_000;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Where the emulator answers, or undefined when the add-in talks to a real endpoint. */
export function emulatorBase(): string | undefined {
  if (typeof GEOBATCH_EMULATOR_PATH === "string" && GEOBATCH_EMULATOR_PATH) {
    return GEOBATCH_EMULATOR_PATH;
  }
  const saved = localStorage.getItem(SETTING_KEYS.baseUrl)?.trim();
  if (!saved) return undefined;
  try {
    const url = new URL(saved);
    return LOOPBACK_HOSTS.has(url.hostname) ? url.href.replace(/\/$/, "") : undefined;
  } catch {
    return undefined;
  }
}

export class EmulatorControls {
  readonly element: HTMLDetailsElement;
  private readonly note: HTMLElement;
  private readonly stats: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly base: string) {
    this.element = document.createElement("details");
    this.element.className = "emulator";
    this.element.innerHTML = `
      <summary>Emulator limits</summary>
      <div class="emulator-controls">
        <label>Rate limit <input name="rate" type="number" min="0" step="1" placeholder="none" />
          requests/s</label>
        <label>Job time <input name="jobMs" type="number" min="0" step="100" /> ms</label>
        <button type="button" data-action="apply">Apply</button>
        <label>Outage <input name="outage" type="number" min="1" step="1" value="30" /> s</label>
        <button type="button" data-action="outage">Start outage</button>
        <span class="emulator-stats" role="status"></span>
        <span class="emulator-note" role="status"></span>
      </div>`;
    this.note = this.element.querySelector(".emulator-note") as HTMLElement;
    this.stats = this.element.querySelector(".emulator-stats") as HTMLElement;
    const field = (name: string) =>
      (this.element.querySelector(`[name="${name}"]`) as HTMLInputElement).value.trim();
    this.button("apply").addEventListener("click", () => {
      const modes: EmulatorModesRequest = { rateLimitPerSecond: Number(field("rate") || 0) };
      if (field("jobMs")) modes.jobMs = Number(field("jobMs"));
      void this.send(modes, "Limits applied.");
    });
    this.button("outage").addEventListener("click", () => {
      const seconds = Number(field("outage"));
      void this.send({ outageSeconds: seconds }, `Outage started: 429 for ${seconds} s.`);
    });
    // Stats are read only while the controls are open: a closed panel sends nothing, so the
    // emulator's request counts are the add-in's alone.
    this.element.addEventListener("toggle", () => {
      if (this.element.open) void this.readStats();
      else clearTimeout(this.timer);
    });
  }

  private button(action: string): HTMLButtonElement {
    return this.element.querySelector(`[data-action="${action}"]`) as HTMLButtonElement;
  }

  private async send(modes: EmulatorModesRequest, done: string): Promise<void> {
    const invalid = Object.entries(modes).find(
      ([, value]) => !Number.isFinite(value) || (value as number) < 0
    );
    if (invalid) {
      this.note.textContent = `${invalid[0]} must be a number of 0 or more.`;
      return;
    }
    try {
      const response = await fetch(`${this.base}/__emulator/modes`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(modes),
      });
      this.note.textContent = response.ok
        ? done
        : `The emulator refused the change (HTTP ${response.status}).`;
    } catch {
      this.note.textContent = "The emulator cannot be reached.";
    }
    if (this.element.open) void this.readStats();
  }

  private async readStats(): Promise<void> {
    clearTimeout(this.timer);
    try {
      const response = await fetch(`${this.base}/__emulator/stats`, { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.stats.textContent = describeStats((await response.json()) as EmulatorStats);
    } catch {
      this.stats.textContent = "No stats: this emulator has no /__emulator/stats.";
    }
    if (this.element.open) this.timer = setTimeout(() => void this.readStats(), STATS_INTERVAL_MS);
  }
}

export function describeStats(stats: EmulatorStats): string {
  const kinds = Object.entries(stats.byKind)
    .map(([kind, statuses]) => [kind, Object.values(statuses).reduce((sum, n) => sum + n, 0)])
    .map(([kind, count]) => `${count} ${kind}`)
    .join(", ");
  const limited = Object.values(stats.byKind).reduce(
    (sum, statuses) => sum + (statuses["429"] ?? 0),
    0
  );
  const { rate, outage, quota } = stats.rejected;
  return (
    `${stats.total} requests` +
    (kinds ? ` (${kinds})` : "") +
    ` · ${limited} answered 429 (${rate} over the rate, ${outage} in an outage, ${quota} over the quota)`
  );
}
