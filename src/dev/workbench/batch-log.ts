// The live log of batches beside the grid, built from the add-in's telemetry events only: it
// shows what the batcher and the Geoapify client did without reaching into either.

import type { TelemetryEvent } from "../../runtime/telemetry";

/** One batch, as far as its events have told. */
export interface BatchRow {
  batchId: number;
  /** Distinct addresses sent, and the cells that waited for them. */
  size: number;
  waiters: number;
  /** How long its addresses waited in the queue before the batch left. */
  maxWaitMs: number;
  meanWaitMs: number;
  jobId?: string;
  /** The Geoapify job: submit to result, its polls and its HTTP requests (retries included). */
  jobMs?: number;
  polls?: number;
  requests?: number;
  /** Dispatch to settlement. */
  durationMs?: number;
  fulfilled?: number;
  rejected?: number;
  error?: string;
}

export interface LogTotals {
  batches: number;
  addressesSent: number;
  cacheHits: number;
  /** Cells whose call was cancelled, and how many of those took their address out of a batch. */
  cancelled: number;
  dropped: number;
}

/** Batches kept in the table; totals count every batch. */
const ROWS_SHOWN = 500;

export class BatchLog {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly summary: HTMLElement;
  private readonly batches = new Map<number, BatchRow>();
  private readonly counts: LogTotals = {
    batches: 0,
    addressesSent: 0,
    cacheHits: 0,
    cancelled: 0,
    dropped: 0,
  };
  private frameRequested = false;

  constructor() {
    this.element = document.createElement("section");
    this.element.className = "batch-log";
    this.element.setAttribute("aria-label", "Batches");
    this.element.innerHTML = `
      <h2>Batches</h2>
      <p class="batch-summary" role="status"></p>
      <div class="batch-table-wrap">
        <table>
          <thead><tr>
            <th>#</th><th title="Distinct addresses / cells waiting">Size</th>
            <th title="Longest and mean time an address waited before the batch left">Wait</th>
            <th title="Geoapify job: submit to results">Job</th>
            <th title="Polls / HTTP requests">Polls</th><th>Outcome</th>
          </tr></thead>
          <tbody></tbody>
        </table>
      </div>`;
    this.body = this.element.querySelector("tbody") as HTMLTableSectionElement;
    this.summary = this.element.querySelector(".batch-summary") as HTMLElement;
    this.render();
  }

  handle(event: TelemetryEvent): void {
    switch (event.type) {
      case "dispatched":
        this.counts.batches++;
        this.counts.addressesSent += event.size;
        this.batches.set(event.batchId, {
          batchId: event.batchId,
          size: event.size,
          waiters: event.waiters,
          maxWaitMs: event.maxWaitMs,
          meanWaitMs: event.meanWaitMs,
        });
        this.trim();
        break;
      case "job-done":
        // A job started by this batch (tag); jobs it attached to report to their own batch.
        if (event.tag !== undefined) {
          this.update(event.tag, {
            jobId: event.jobId,
            jobMs: event.durationMs,
            polls: event.polls,
            requests: event.requests,
          });
        }
        break;
      case "settled":
        this.update(event.batchId, {
          durationMs: event.durationMs,
          fulfilled: event.fulfilled,
          rejected: event.rejected,
          error: event.error,
        });
        break;
      case "cancelled":
        this.counts.cancelled++;
        if (event.dropped) this.counts.dropped++;
        break;
      case "cache":
        this.counts.cacheHits += event.hits;
        break;
      default:
        // Per-cell "enqueued" events and "closed" are not part of the batch view.
        return;
    }
    this.invalidate();
  }

  rows(): BatchRow[] {
    return [...this.batches.values()].map((row) => ({ ...row }));
  }

  totals(): LogTotals {
    return { ...this.counts };
  }

  private update(batchId: number, fields: Partial<BatchRow>): void {
    const row = this.batches.get(batchId);
    if (row) Object.assign(row, fields);
  }

  private trim(): void {
    for (const batchId of this.batches.keys()) {
      if (this.batches.size <= ROWS_SHOWN) break;
      this.batches.delete(batchId);
    }
  }

  private invalidate(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.render();
    });
  }

  private render(): void {
    const { batches, addressesSent, cacheHits, cancelled, dropped } = this.counts;
    this.summary.textContent =
      `${batches} ${batches === 1 ? "batch" : "batches"}, ${addressesSent} addresses sent, ` +
      `${cacheHits} cache hits, ${cancelled} cancelled (${dropped} dropped from a batch)`;
    const rows = [...this.batches.values()].reverse().map((batch) => {
      const row = document.createElement("tr");
      if (batch.error || batch.rejected) row.className = "batch-failed";
      else if (batch.durationMs === undefined) row.className = "batch-in-flight";
      for (const text of [
        String(batch.batchId),
        `${batch.size} / ${batch.waiters}`,
        `${ms(batch.maxWaitMs)} / ${ms(batch.meanWaitMs)}`,
        batch.jobMs === undefined ? "…" : ms(batch.jobMs),
        batch.polls === undefined ? "…" : `${batch.polls} / ${batch.requests}`,
        outcome(batch),
      ]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      if (batch.error) row.title = batch.error;
      return row;
    });
    this.body.replaceChildren(...rows);
  }
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function outcome(batch: BatchRow): string {
  if (batch.durationMs === undefined) return "in flight";
  if (batch.error) return `failed: ${batch.error}`;
  return batch.rejected
    ? `${batch.fulfilled} ok, ${batch.rejected} failed`
    : `${batch.fulfilled} ok`;
}
