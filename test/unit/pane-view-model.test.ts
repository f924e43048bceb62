import { describe, expect, it } from "vitest";
import { statusOf } from "../../src/taskpane/status";
import { PaneModel, type CellEvent } from "../../src/taskpane/view-model";

const T0 = Date.UTC(2026, 11, 2, 12);

function cell(ref: string, ok: boolean, extra: Partial<CellEvent> = {}): CellEvent {
  return { type: "cell", cell: ref, fn: "GEO.LOCATION", input: `address ${ref}`, ok, ...extra };
}

// The runtime's events in full, as src/batching and src/geoapify publish them.
function dispatched(
  batchId: number,
  size: number,
  meanWaitMs: number,
  queued: number,
  waiters = size
) {
  const fields = { waiters, maxWaitMs: meanWaitMs, inFlight: 1 };
  return { type: "dispatched", batchId, size, meanWaitMs, queued, ...fields } as const;
}

function submitted(jobId: string, size: number) {
  return { type: "submitted", jobId, kind: "search", size, credits: size / 2 } as const;
}

function jobDone(jobId: string, size: number, durationMs: number) {
  const fields = { polls: 2, requests: 3, background: false };
  return { type: "job-done", jobId, kind: "search", size, durationMs, ...fields } as const;
}

describe("the pane's view model", () => {
  it("counts cells queued, in flight, done and failed through a batch", () => {
    const model = new PaneModel();
    model.apply(dispatched(1, 3, 40, 2), T0);
    expect(model.progress()).toEqual({ queued: 2, inFlight: 3, done: 0, failed: 0 });
    model.apply(cell("Sheet1!B2", true, { lat: 1, lon: 2 }), T0);
    model.apply(cell("Sheet1!B3", true, { lat: 3, lon: 4 }), T0);
    model.apply(cell("Sheet1!B4", false, { message: "Not found" }), T0);
    model.apply(
      { type: "settled", batchId: 1, size: 3, durationMs: 900, fulfilled: 2, rejected: 1 },
      T0
    );
    expect(model.progress()).toEqual({ queued: 0, inFlight: 0, done: 2, failed: 1 });
    expect(model.batches).toEqual([
      { batchId: 1, size: 3, waitMs: 40, durationMs: 900, outcome: "partial" },
    ]);
  });

  it("counts cells in flight, not lookups: cells of one address share a slot", () => {
    const model = new PaneModel();
    model.apply(dispatched(1, 3, 10, 0, 5), T0);
    expect(model.progress().inFlight).toBe(5);
  });

  it("keeps a cell's latest outcome: a retried cell that succeeds leaves the failed list", () => {
    const model = new PaneModel();
    model.apply(cell("Sheet1!B2", false, { message: "Set your key", reason: "missing-key" }), T0);
    expect(model.failedCells().map((c) => c.cell)).toEqual(["Sheet1!B2"]);
    expect(model.key).toBe("missing");
    model.apply(cell("Sheet1!B2", true, { lat: 48.8, lon: 2.3 }), T0);
    expect(model.failedCells()).toEqual([]);
    expect(model.points()).toHaveLength(1);
    expect(model.cellsGeocoded()).toBe(1);
  });

  it("retries only the cells that wanted a key when failures name their reason", () => {
    const model = new PaneModel();
    model.apply(cell("Sheet1!B2", false, { reason: "missing-key" }), T0);
    model.apply(cell("Sheet1!B3", false, { reason: "not-found" }), T0);
    model.apply(cell("Sheet1!B4", false, { reason: "auth" }), T0);
    expect(model.cellsNeedingKey()).toEqual(["Sheet1!B2", "Sheet1!B4"]);
  });

  it("puts only cells with a finite position on the map", () => {
    const model = new PaneModel();
    model.apply(cell("Sheet1!B2", true, { lat: 10, lon: 20 }), T0);
    model.apply(cell("Sheet1!B3", true), T0);
    model.apply(cell("Sheet1!B4", false, { lat: 1, lon: 1 }), T0);
    model.apply(cell("Sheet1!B5", true, { lat: Number.NaN, lon: 0 }), T0);
    expect(model.points().map((c) => c.cell)).toEqual(["Sheet1!B2"]);
  });

  it("keeps the most recent batches only", () => {
    const model = new PaneModel();
    for (let id = 1; id <= 50; id++) {
      model.apply(dispatched(id, 1, 0, 0), T0);
    }
    expect(model.batches).toHaveLength(40);
    expect(model.batches[0].batchId).toBe(11);
  });

  it("ignores events it does not read, without counting a change", () => {
    const model = new PaneModel();
    const before = model.version;
    model.apply({ type: "polled", jobId: "x" } as never, T0);
    expect(model.version).toBe(before);
  });
});

describe("the status line", () => {
  it("says ready, then working with the jobs and their age, then finished with failures", () => {
    const model = new PaneModel();
    expect(statusOf(model, T0)).toEqual({ tone: "ready", text: "Ready." });
    model.apply(dispatched(1, 4, 0, 0), T0);
    model.apply(submitted("job-1", 4), T0);
    model.apply(cell("Sheet1!B2", true), T0);
    expect(statusOf(model, T0 + 12_500)).toEqual({
      tone: "working",
      text: "Working: 1 of 5 cells, 1 job in flight (oldest 12 s).",
    });
    model.apply(jobDone("job-1", 4, 12_000), T0);
    model.apply(cell("Sheet1!B3", false, { message: "Not found" }), T0);
    model.apply(
      { type: "settled", batchId: 1, size: 4, durationMs: 12_000, fulfilled: 3, rejected: 1 },
      T0
    );
    expect(statusOf(model, T0)).toMatchObject({ tone: "warning", action: "retry-failed" });
  });

  it("counts down a rate-limit wait and drops it once Geoapify answers again", () => {
    const model = new PaneModel();
    model.apply({ type: "rate-limited", waitMs: 8_000, retryAfter: false, ratePerSecond: 5 }, T0);
    expect(statusOf(model, T0 + 1_000)).toEqual({
      tone: "warning",
      text: "Waiting for Geoapify's rate limit: retrying in 7 s.",
      action: "set-rate",
    });
    expect(statusOf(model, T0 + 9_000).tone).toBe("ready");
    model.apply({ type: "quota-suspected", probeInMs: 60_000 }, T0);
    expect(statusOf(model, T0).text).toMatch(/daily quota/);
    model.apply({ type: "resumed" }, T0);
    expect(statusOf(model, T0).tone).toBe("ready");
  });

  it("reads the scheduler's back-off and quota phases", () => {
    const model = new PaneModel();
    const idle = { ratePerSecond: 5, jobsInFlight: 0, queuedRequests: 0 };
    model.setScheduler({ ...idle, phase: "backing-off", resumeAt: T0 + 3_000 });
    expect(statusOf(model, T0).text).toBe("Waiting for Geoapify's rate limit: retrying in 3 s.");
    model.setScheduler({ ...idle, phase: "quota" });
    expect(statusOf(model, T0).tone).toBe("error");
  });

  it("puts key and budget problems first, each with its fixing action", () => {
    const model = new PaneModel();
    model.apply(dispatched(1, 4, 0, 0), T0);
    model.apply({ type: "credits", day: "2026-12-02", spent: 100, budget: 100 }, T0);
    expect(statusOf(model, T0)).toMatchObject({ tone: "error", action: "raise-budget" });
    model.setKey("rejected");
    expect(statusOf(model, T0)).toEqual({
      tone: "error",
      text: "Geoapify rejected the API key.",
      action: "enter-key",
    });
    model.setKey("missing");
    expect(statusOf(model, T0).text).toBe("No API key is saved: cells cannot geocode.");
  });
});

describe("the scheduler's polled state", () => {
  it("counts as a change only when it changed, so an idle pane does not redraw", () => {
    const model = new PaneModel();
    const idle = { phase: "ok", ratePerSecond: 5, jobsInFlight: 0, queuedRequests: 0 } as const;
    model.setScheduler({ ...idle });
    const version = model.version;
    model.setScheduler({ ...idle });
    expect(model.version).toBe(version);
    model.setScheduler({ ...idle, jobsInFlight: 1 });
    expect(model.version).toBe(version + 1);
  });
});

describe("the pane with a team gateway", () => {
  it("says a gateway's budget is spent without offering to raise the pane's own budget", () => {
    const model = new PaneModel();
    model.setCredits({ day: "2026-12-02", spent: 500, budget: 500, user: "alice" });
    expect(statusOf(model, T0)).toEqual({
      tone: "error",
      text: "Your team gateway's daily budget of 500 credits is spent: ask its administrator.",
    });
    model.setCredits({ day: "2026-12-02", spent: 500, budget: 500 });
    expect(statusOf(model, T0)).toMatchObject({ action: "raise-budget" });
  });

  it("says cells wait through a 503 outage, counting down, and only while it lasts", () => {
    const model = new PaneModel();
    model.apply(dispatched(1, 2, 10, 0), T0);
    const retried = { type: "retried", request: "submit", attempt: 1 } as const;
    model.apply({ ...retried, status: 500, delayMs: 750 }, T0);
    expect(statusOf(model, T0).tone).toBe("working");
    model.apply({ ...retried, status: 503, delayMs: 2_000 }, T0);
    expect(statusOf(model, T0 + 500)).toEqual({
      tone: "warning",
      text: "The endpoint is unavailable (a team gateway's outage): cells keep waiting, retrying in 2 s.",
    });
    expect(statusOf(model, T0 + 2_000).tone).toBe("working");
  });
});
