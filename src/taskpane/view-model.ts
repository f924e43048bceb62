// The pane's view model: what the runtime's telemetry has told the pane so far, reduced to what
// each section shows. Everything the pane knows about a run arrives here; rendering only reads.
//
// It is a reducer over a mutable model rather than over immutable copies: a 10,000-row sheet is
// 10,000 cell events, and copying the cell table on each would be quadratic. It stays pure in the
// sense that matters for tests: no I/O, no clock (callers pass `now`), same events, same model.

import type { ClientState } from "../geoapify/client";
import type { CreditsSnapshot } from "../runtime/credits";
import type { Geocoder } from "../runtime/geocoder";
import type { CellEvent, TelemetryEvent } from "../runtime/telemetry";

export type { CellEvent } from "../runtime/telemetry";

/** The runtime's telemetry, as the pane receives it; events it does not read are ignored. */
export type PaneEvent = TelemetryEvent;

/** The request scheduler's state, as geocoder.status() reports it. */
export type SchedulerStatus = ClientState;

export type Credits = CreditsSnapshot;

/** What the last key check answered; "unchecked" until one ran since the key was saved. */
export type KeyState = Awaited<ReturnType<Geocoder["checkKey"]>> | "unchecked";

export type BatchOutcome = "pending" | "ok" | "partial" | "failed";

export interface BatchRecord {
  batchId: number;
  size: number;
  waitMs: number;
  /** Set once settled. */
  durationMs?: number;
  outcome: BatchOutcome;
}

/** Batches kept for the chart; older ones scroll away. */
export const BATCHES_KEPT = 40;

export class PaneModel {
  readonly cells = new Map<string, CellEvent>();
  readonly batches: BatchRecord[] = [];
  /** Job id -> when the pane saw it submitted (epoch ms) and its size. */
  readonly jobs = new Map<string, { since: number; size: number }>();
  scheduler: SchedulerStatus | undefined;
  credits: Credits | undefined;
  key: KeyState = "unchecked";
  /** Until when a 503 outage's retry waits (a team gateway without its Redis). */
  outageUntil: number | undefined;
  /** A rate or quota wait the telemetry reported; cleared by "resumed". */
  wait: { kind: "rate" | "quota"; until?: number } | undefined;
  /** Keys of batches dispatched and not yet settled, by batch id. */
  private readonly open = new Map<number, number>();
  /** Cells by latest outcome, kept as events arrive: the status reads them every frame. */
  private readonly outcomes = { done: 0, failed: 0 };
  /** Lookups the batchers still queue, from the latest dispatch. */
  private queuedLookups = 0;
  /** Bumped on every change, so renderers can skip work when nothing happened. */
  version = 0;

  apply(event: PaneEvent, now: number): void {
    this.version++;
    switch (event.type) {
      case "dispatched":
        // Cells, not lookups: cells asking for the same address share one slot of the batch.
        this.open.set(event.batchId, event.waiters);
        this.queuedLookups = event.queued;
        this.batches.push({
          batchId: event.batchId,
          size: event.size,
          waitMs: event.meanWaitMs,
          outcome: "pending",
        });
        this.batches.splice(0, Math.max(0, this.batches.length - BATCHES_KEPT));
        return;
      case "settled": {
        this.open.delete(event.batchId);
        if (this.open.size === 0) this.queuedLookups = 0;
        const batch = this.batches.find((b) => b.batchId === event.batchId);
        if (batch) {
          batch.durationMs = event.durationMs;
          batch.outcome = event.error
            ? "failed"
            : event.rejected === 0
              ? "ok"
              : event.fulfilled === 0
                ? "failed"
                : "partial";
        }
        return;
      }
      case "submitted":
        if (event.jobId) this.jobs.set(event.jobId, { since: now, size: event.size });
        return;
      case "still-running":
        if (!this.jobs.has(event.jobId))
          this.jobs.set(event.jobId, { since: now, size: event.size });
        return;
      case "job-done":
      case "job-failed":
        if (event.jobId) this.jobs.delete(event.jobId);
        return;
      case "rate-limited":
        this.wait = { kind: "rate", until: now + event.waitMs };
        return;
      case "retried":
        // Other retries are short and bounded; an outage's go on until the job timeout.
        if (event.status === 503) this.outageUntil = now + event.delayMs;
        else this.version--;
        return;
      case "quota-suspected":
        this.wait = { kind: "quota" };
        return;
      case "resumed":
        this.wait = undefined;
        return;
      case "credits":
        this.credits = {
          day: event.day,
          spent: event.spent,
          budget: event.budget,
          user: event.user,
        };
        return;
      case "cell": {
        const id = cellId(event);
        const previous = this.cells.get(id);
        if (previous) this.outcomes[previous.ok ? "done" : "failed"]--;
        this.outcomes[event.ok ? "done" : "failed"]++;
        this.cells.set(id, event);
        // The cells say what is wrong with the key before anyone checks it.
        if (!event.ok && event.reason === "missing-key") this.key = "missing";
        if (!event.ok && event.reason === "auth") this.key = "rejected";
        return;
      }
      default:
        this.version--;
    }
  }

  /** Polled every second: only a changed state counts as a change, so an idle pane stays idle. */
  setScheduler(status: SchedulerStatus): void {
    const previous = this.scheduler;
    this.scheduler = status;
    const same =
      previous !== undefined &&
      (Object.keys(status) as Array<keyof SchedulerStatus>).every(
        (field) => previous[field] === status[field]
      );
    if (!same) this.version++;
  }

  setKey(key: KeyState): void {
    this.version++;
    this.key = key;
  }

  setCredits(credits: Credits | undefined): void {
    this.version++;
    this.credits = credits;
  }

  /** Cells whose latest outcome is an error, in the order they first failed. */
  failedCells(): CellEvent[] {
    return [...this.cells.values()].filter((cell) => !cell.ok);
  }

  /** Cells to recalculate once a key is saved: those that failed for want of a working key. */
  cellsNeedingKey(): string[] {
    return this.failedCells()
      .filter((cell) => cell.reason === "missing-key" || cell.reason === "auth")
      .flatMap((cell) => (cell.cell ? [cell.cell] : []));
  }

  /** Cells with a position, for the map. */
  points(): CellEvent[] {
    return [...this.cells.values()].filter(
      (cell) => cell.ok && Number.isFinite(cell.lat) && Number.isFinite(cell.lon)
    );
  }

  progress(): { queued: number; inFlight: number; done: number; failed: number } {
    let inFlight = 0;
    for (const size of this.open.values()) inFlight += size;
    return { queued: this.queuedLookups, inFlight, ...this.outcomes };
  }

  /** Cells that answered this session: one call per cell would have cost a credit each. */
  cellsGeocoded(): number {
    return this.outcomes.done;
  }

  /** The wait the scheduler or the telemetry reports, if it lies in the future. */
  activeWait(now: number): { kind: "rate" | "quota"; seconds?: number } | undefined {
    const scheduler = this.scheduler;
    if (scheduler?.phase === "quota" || this.wait?.kind === "quota") return { kind: "quota" };
    const until = scheduler?.phase === "backing-off" ? scheduler.resumeAt : this.wait?.until;
    if (until !== undefined && until > now) {
      return { kind: "rate", seconds: Math.ceil((until - now) / 1000) };
    }
    return undefined;
  }

  /** The age in seconds of the oldest job in flight. */
  oldestJobSeconds(now: number): number | undefined {
    let oldest: number | undefined;
    for (const { since } of this.jobs.values()) oldest = Math.min(oldest ?? since, since);
    return oldest === undefined ? undefined : Math.floor((now - oldest) / 1000);
  }
}

/** A cell is known by its reference; without one (no address from the host), by its formula. */
export function cellId(cell: CellEvent): string {
  return cell.cell ?? `${cell.fn}(${cell.input})`;
}

/** Whether a value is one of the events the pane reads (telemetry carries many more). */
export function isPaneEvent(value: unknown): value is PaneEvent {
  return (
    typeof value === "object" && value !== null && typeof (value as PaneEvent).type === "string"
  );
}
