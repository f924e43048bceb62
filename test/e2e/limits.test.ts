// Geoapify's free plan, end to end (issue 9): the production functions.js in the workbench against
// an emulator that enforces 5 requests per second per key, answers 429 with the spec's body, goes
// down for a while, and keeps jobs pending until told. Every assertion is about what the cells
// show and what the emulator was asked: counts and order, never how long anything took.

import { describe, expect, it } from "vitest";
import { answered, forwardMismatches, recordTelemetry, telemetry, typeColumn } from "./e2e-support";
import { readCells, useE2E, waitForIdle } from "./harness";

/** The free plan's rate. */
const RATE = 5;

const e2e = useE2E({
  emulator: { rateLimitPerSecond: RATE, latencyMs: 5, jobBaseMs: 200, jobPerAddressMs: 0.2 },
});

const benchAddresses = (count: number, street = "Bench Street") =>
  Array.from({ length: count }, (_, index) => `${index + 1} ${street}, Springfield, US`);

const locationFormula = (row: number) => `=GEO.LOCATION(A${row})`;

async function openWorkbench() {
  return e2e.openWorkbench({ storage: e2e.settings, prepare: recordTelemetry });
}

/** Every cell event of the page so far was a success. */
async function expectNoFailedCell(page: Parameters<typeof telemetry>[0]): Promise<void> {
  const failed = (await telemetry(page, "cell")).filter((event) => !event.ok);
  expect(failed.map((event) => `${event.cell}: ${event.message}`)).toEqual([]);
}

describe("at the free plan's rate", () => {
  it("fills 5,000 unique addresses, every cell right, with no request over the rate", async () => {
    const { page, errors } = await openWorkbench();
    const addresses = benchAddresses(5_000);
    await typeColumn(page, addresses, locationFormula);
    await waitForIdle(page, 110_000);

    const cells = await readCells(page, "B2:C5001");
    expect(forwardMismatches(cells, addresses).slice(0, 5)).toEqual([]);
    const stats = e2e.emulator.stats();
    expect(stats.rejected).toEqual({ rate: 0, outage: 0, quota: 0 });
    expect(answered(e2e.emulator, ["submit", "poll"], 429)).toEqual([]);
    // Each address was paid for once, in a handful of jobs (how cells arrive decides the
    // split; a job holds at most Geoapify's 1,000).
    const jobs = e2e.emulator.jobsSubmitted();
    expect(jobs.length).toBeLessThanOrEqual(10);
    expect(Math.max(...jobs.map((job) => job.length))).toBeLessThanOrEqual(1_000);
    expect(new Set(jobs.flat()).size).toBe(5_000);
    expect(e2e.emulator.counts().addressesSubmitted).toBe(5_000);
    // The client saw no 429 either, so it never had to slow down.
    expect(await telemetry(page, "rate-limited")).toEqual([]);
    await expectNoFailedCell(page);
    expect(errors).toEqual([]);
  });
});

describe("a single 429", () => {
  for (const retryAfterSeconds of [1, undefined]) {
    const header = retryAfterSeconds ? `Retry-After: ${retryAfterSeconds}` : "no Retry-After";
    it(`costs one short wait and no failed cell (${header})`, async () => {
      const { page } = await openWorkbench();
      e2e.emulator.inject({ on: "submit", response: { status: 429, retryAfterSeconds } });
      const addresses = benchAddresses(40, "Single Street");
      await typeColumn(page, addresses, locationFormula);
      await waitForIdle(page, 60_000);

      expect(forwardMismatches(await readCells(page, "B2:C41"), addresses)).toEqual([]);
      await expectNoFailedCell(page);
      // One 429, for the first submit; the same addresses went again, once, and were accepted.
      expect(answered(e2e.emulator, ["submit", "poll"], 429)).toHaveLength(1);
      expect(e2e.emulator.requests.find((request) => request.method !== "OPTIONS")?.status).toBe(
        429
      );
      expect(e2e.emulator.jobsSubmitted()).toEqual([addresses]);
      // The wait the client chose: Retry-After when readable, else the first backoff step
      // (under a second with the default 1 s base); never the quota.
      const [limited, ...more] = await telemetry(page, "rate-limited");
      expect(more).toEqual([]);
      expect(limited.retryAfter).toBe(retryAfterSeconds !== undefined);
      expect(limited.waitMs).toBeLessThanOrEqual(1_000);
      if (retryAfterSeconds) expect(limited.waitMs).toBe(retryAfterSeconds * 1000);
      expect(await telemetry(page, "quota-suspected")).toEqual([]);
    });
  }
});

describe("a 429 outage", () => {
  it("ends with every cell right once the outage is over", async () => {
    const { page } = await openWorkbench();
    // The outage lasts until the client has been refused three times: its length is set by
    // what happened, not by a clock (about 1.5 to 3.5 s of backing off with the default base).
    e2e.emulator.startOutage(120_000);
    const addresses = benchAddresses(300, "Outage Avenue");
    await typeColumn(page, addresses, locationFormula);
    await expect
      .poll(() => e2e.emulator.stats().rejected.outage, { timeout: 30_000, interval: 50 })
      .toBeGreaterThanOrEqual(3);
    e2e.emulator.startOutage(0);
    await waitForIdle(page, 60_000);

    expect(forwardMismatches(await readCells(page, "B2:C301"), addresses)).toEqual([]);
    await expectNoFailedCell(page);
    const stats = e2e.emulator.stats();
    expect(stats.rejected.rate).toBe(0);
    // Backing off means one trial request at a time during the outage, not a request per cell.
    expect(stats.rejected.outage).toBeLessThanOrEqual(5);
    expect(e2e.emulator.jobsSubmitted()).toEqual([addresses]);
    expect((await telemetry(page, "rate-limited")).length).toBeGreaterThanOrEqual(3);
    expect(await telemetry(page, "quota-suspected")).toEqual([]);
  });
});

describe("reloading the runtime page while a job runs", () => {
  it("collects that job after the reload: each address is submitted once in all", async () => {
    const { page } = await openWorkbench();
    // The job stays pending until the test says: what is in flight is decided by the test.
    e2e.emulator.set({ neverFinish: true });
    const addresses = benchAddresses(60, "Reload Road");
    await typeColumn(page, addresses, locationFormula);
    await expect.poll(() => e2e.emulator.jobsSubmitted().length, { timeout: 30_000 }).toBe(1);
    const [submit] = answered(e2e.emulator, ["submit"], 202);
    // The job is on disk before the page goes: the submit's answer was stored.
    await expect.poll(() => storedJobIds(page), { timeout: 10_000 }).toEqual([submit.jobId]);

    await page.reload();
    await page.evaluate(() => window.__workbench.ready);
    // The workbook opens again and recalculates: the same formulas over the same addresses.
    await typeColumn(page, addresses, locationFormula);
    // Still pending: the cells wait on the resumed job, which is polled, not submitted again.
    const pollsBefore = answered(e2e.emulator, ["poll"]).length;
    await expect
      .poll(() => answered(e2e.emulator, ["poll"]).length, { timeout: 30_000 })
      .toBeGreaterThan(pollsBefore);
    expect(await readCells(page, "B2")).toEqual([[{ busy: true }]]);

    e2e.emulator.set({ neverFinish: false });
    await waitForIdle(page, 60_000);
    expect(forwardMismatches(await readCells(page, "B2:C61"), addresses)).toEqual([]);
    await expectNoFailedCell(page);
    expect(e2e.emulator.counts().submit).toBe(1);
    expect(e2e.emulator.jobsSubmitted()).toEqual([addresses]);
    // Every poll after the reload asked for the one job; the new page submitted nothing.
    const polls = answered(e2e.emulator, ["poll"]);
    expect(new Set(polls.map((poll) => poll.jobId))).toEqual(new Set([submit.jobId]));
    expect(await telemetry(page, "submitted")).toEqual([]);
    // Collected: the store forgets the job.
    await expect.poll(() => storedJobIds(page), { timeout: 10_000 }).toEqual([]);
  });
});

/** Ids in the runtime's job store (src/geoapify/job-store.ts: IndexedDB "geobatch-jobs"). */
function storedJobIds(page: Parameters<typeof telemetry>[0]): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const request = indexedDB.open("geobatch-jobs");
        request.onerror = () => reject(request.error ?? new Error("Cannot open geobatch-jobs"));
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains("jobs")) {
            db.close();
            return resolve([]);
          }
          const keys = db.transaction("jobs", "readonly").objectStore("jobs").getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve(keys.result.map(String));
          };
          keys.onerror = () => reject(keys.error ?? new Error("Cannot read jobs"));
        };
      })
  );
}
