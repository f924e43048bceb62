// The persistent geocode cache, end to end: the production functions.js in the workbench, in
// Chromium, against the emulator. What the cache promises is counted where it matters, at the
// emulator: an address is paid for once, a recalculation of an unchanged sheet costs no request,
// and neither does reopening the workbook, because IndexedDB outlives the page.
//
// The figures (timings, storage) are written to test-results/cache-figures.json for people to
// read and never asserted: the machine is shared, and a timing assertion would only measure it.

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { geocode } from "../../src/dev/emulator/gazetteer";
import { SETTING_KEYS } from "../../src/settings/settings";
import {
  persisted,
  readCells as read,
  RESULTS,
  screenshot,
  typeSheet,
  useE2E,
  waitForPersisted,
} from "./harness";

const FIGURES_FILE = path.join(RESULTS, "cache-figures.json");

/** The runtime's database (GeocodeCache's default) and object store (PlaceStore's). */

/** Generous: a 10,000-cell pass takes a few seconds here, and the machine is shared. */
const IDLE_TIMEOUT_MS = 60_000;
/** The same for 100,000 cells, ten times the work. */
const LARGE_IDLE_TIMEOUT_MS = 400_000;
/**
 * 100,000 addresses take minutes in a browser on a small machine (two passes of 100,000 cells
 * and 100 jobs), too long for every `npm test`: GEOBATCH_E2E_LARGE=1 runs it.
 */
const RUN_LARGE = process.env.GEOBATCH_E2E_LARGE === "1";

/** Everything the tests measured, keyed by test; written once all tests have run. */
const figures: Record<string, unknown> = {};

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });

afterAll(async () => {
  await mkdir(RESULTS, { recursive: true });
  await writeFile(FIGURES_FILE, JSON.stringify(figures, null, 2) + "\n");
});

/** Synthetic addresses: each contains a digit, so the emulator finds every one. */
function syntheticAddresses(count: number, street: string): string[] {
  return Array.from({ length: count }, (_, index) => `${index + 1} ${street}, Springfield`);
}

/** The workbench, empty, with the emulator's settings saved. */
function openWorkbench() {
  return e2e.openWorkbench({ storage: e2e.settings });
}

/** The GEO.LOCATION cells of a sheet typed by typeSheet. */
const resultRange = (rows: number) => `B2:C${rows + 1}`;

/** Recalculates every formula and resolves the time until no cell is #BUSY!, in ms. */
async function timedRecalculation(page: Page, timeoutMs = IDLE_TIMEOUT_MS): Promise<number> {
  return page.evaluate(async (timeout) => {
    const wb = window.__workbench;
    const started = performance.now();
    wb.recalculate();
    await wb.waitForIdle(timeout);
    return performance.now() - started;
  }, timeoutMs);
}

interface StorageFigures {
  usageBytes: number;
  /** Chromium's breakdown, when it gives one. */
  indexedDBBytes?: number;
}

async function storageUsage(page: Page): Promise<StorageFigures> {
  return page.evaluate(async () => {
    // usageDetails is Chromium's and not in lib.dom.
    const estimate: StorageEstimate & { usageDetails?: { indexedDB?: number } } =
      await navigator.storage.estimate();
    return { usageBytes: estimate.usage ?? 0, indexedDBBytes: estimate.usageDetails?.indexedDB };
  });
}

/** Reloads the workbench in the same context, so IndexedDB carries over, and waits for it. */
async function reload(page: Page): Promise<void> {
  await page.reload();
  await page.evaluate(() => window.__workbench.ready);
}

/** Cells whose coordinates differ from the emulator's for their address (at most `limit`). */
function mismatches(cells: unknown[][], addresses: string[], limit = 5): string[] {
  const wrong: string[] = [];
  for (let index = 0; index < addresses.length && wrong.length < limit; index++) {
    const { lat, lon } = geocode(addresses[index]);
    const [gotLat, gotLon] = cells[index];
    if (gotLat !== lat || gotLon !== lon) {
      wrong.push(`${addresses[index]}: ${JSON.stringify(cells[index])}, expected [${lat}, ${lon}]`);
    }
  }
  return wrong;
}

/** Bytes of storage per cached address, to the nearest byte. */
function bytesPerAddress(before: StorageFigures, after: StorageFigures, addresses: number) {
  const perAddress = (from?: number, to?: number) =>
    from === undefined || to === undefined ? undefined : Math.round((to - from) / addresses);
  return {
    usage: perAddress(before.usageBytes, after.usageBytes),
    indexedDB: perAddress(before.indexedDBBytes, after.indexedDBBytes),
  };
}

/**
 * Geocodes `addresses` once, checks every cell and that each address was sent exactly once,
 * then waits for the cache to persist them. Resolves the cells and the figures of that pass.
 */
async function geocodeAndPersist(page: Page, addresses: string[], timeoutMs = IDLE_TIMEOUT_MS) {
  // The database exists (empty) once this answers, so the usage below is the baseline.
  expect((await persisted(page)).entries).toBe(0);
  const storageBefore = await storageUsage(page);

  const firstPassMs = await typeSheet(page, addresses, { idleTimeoutMs: timeoutMs });
  const cells = await read(page, resultRange(addresses.length));
  expect(mismatches(cells, addresses)).toEqual([]);
  const sent = e2e.emulator.jobsSubmitted().flat();
  expect(sent).toHaveLength(addresses.length);
  expect(new Set(sent).size).toBe(addresses.length);

  await waitForPersisted(page, addresses.length);
  const storageAfter = await storageUsage(page);
  return {
    cells,
    figures: {
      addresses: addresses.length,
      jobs: e2e.emulator.counts().submit,
      requests: e2e.emulator.requests.length,
      firstPassMs: Math.round(firstPassMs),
      persisted: await persisted(page, true),
      storageBefore,
      storageAfter,
      bytesPerAddress: bytesPerAddress(storageBefore, storageAfter, addresses.length),
    },
  };
}

const cacheHits = async (page: Page) =>
  (await page.evaluate(() => window.__workbench.logTotals())).cacheHits;

describe("persistent cache", () => {
  it("answers 10,000 addresses from the cache, before and after a reload", async () => {
    const addresses = syntheticAddresses(10_000, "Cache Street");
    const { page, errors } = await openWorkbench();
    const { cells, figures: firstPass } = await geocodeAndPersist(page, addresses);
    // Every request, preflights included: "no request" means none of any kind.
    const requestsAfterGeocoding = e2e.emulator.requests.length;

    const hitsBefore = await cacheHits(page);
    const recalculationMs = await timedRecalculation(page);
    expect(e2e.emulator.requests.length).toBe(requestsAfterGeocoding);
    expect(await read(page, resultRange(addresses.length))).toEqual(cells);
    expect((await cacheHits(page)) - hitsBefore).toBe(addresses.length);

    await reload(page);
    // The workbench reopens empty (?sheet=empty): build the same sheet again, as reopening a
    // workbook recalculates it.
    const rebuildAfterReloadMs = await typeSheet(page, addresses, {
      idleTimeoutMs: IDLE_TIMEOUT_MS,
    });
    const recalculationAfterReloadMs = await timedRecalculation(page);
    expect(e2e.emulator.requests.length).toBe(requestsAfterGeocoding);
    expect(await read(page, resultRange(addresses.length))).toEqual(cells);
    expect(await cacheHits(page)).toBe(2 * addresses.length);
    expect(errors).toEqual([]);
    await screenshot(page, "cache-10000-after-reload");

    figures.tenThousand = {
      ...firstPass,
      cachedRecalculationMs: Math.round(recalculationMs),
      rebuildAfterReloadMs: Math.round(rebuildAfterReloadMs),
      cachedRecalculationAfterReloadMs: Math.round(recalculationAfterReloadMs),
    };
  });

  it.runIf(RUN_LARGE)(
    "answers 100,000 addresses from the cache after a reload",
    { timeout: 1_200_000 },
    async () => {
      const started = performance.now();
      // Jobs finish almost at once: this test is about the cache, not about waiting for jobs.
      e2e.emulator.set({ jobBaseMs: 20, jobPerAddressMs: 0 });
      const addresses = syntheticAddresses(100_000, "Large Cache Avenue");
      // 100,000 addresses are 50,000 credits, a paid plan's work: pace at such a plan's rate.
      const { page, errors } = await e2e.openWorkbench({
        storage: { ...e2e.settings, [SETTING_KEYS.ratePerSecond]: "50" },
      });
      const { cells, figures: firstPass } = await geocodeAndPersist(
        page,
        addresses,
        LARGE_IDLE_TIMEOUT_MS
      );
      const requestsAfterGeocoding = e2e.emulator.requests.length;

      const reloadStarted = performance.now();
      await reload(page);
      const rebuildAfterReloadMs = await typeSheet(page, addresses, {
        idleTimeoutMs: LARGE_IDLE_TIMEOUT_MS,
      });
      const recalculationAfterReloadMs = await timedRecalculation(page, LARGE_IDLE_TIMEOUT_MS);
      const reloadToCachedMs = performance.now() - reloadStarted;
      expect(e2e.emulator.requests.length).toBe(requestsAfterGeocoding);
      expect(await read(page, resultRange(addresses.length))).toEqual(cells);
      expect(await cacheHits(page)).toBe(2 * addresses.length);
      expect(errors).toEqual([]);

      figures.hundredThousand = {
        ...firstPass,
        emulator: { jobBaseMs: 20, jobPerAddressMs: 0 },
        rebuildAfterReloadMs: Math.round(rebuildAfterReloadMs),
        cachedRecalculationAfterReloadMs: Math.round(recalculationAfterReloadMs),
        reloadToCachedSheetWallMs: Math.round(reloadToCachedMs),
        testWallMs: Math.round(performance.now() - started),
      };
    }
  );
});

describe("cancellation", () => {
  it("never sends the addresses of 100 of 200 cells cleared before the batch left", async () => {
    const addresses = syntheticAddresses(200, "Deleted Row Road");
    // Rows 52 to 151 (addresses 51 to 150) are deleted: a block in the middle of the sheet.
    const cleared = addresses.slice(50, 150);
    const kept = [...addresses.slice(0, 50), ...addresses.slice(150)];
    const { page } = await openWorkbench();
    await typeSheet(page, addresses, {
      clearInSameTask: "B52:B151",
      idleTimeoutMs: IDLE_TIMEOUT_MS,
    });

    const stats = await page.evaluate(() => window.__workbench.hostStats());
    expect(stats.calls).toBe(addresses.length);
    expect(stats.onCanceledCalls).toBe(cleared.length);
    const submitted = e2e.emulator.jobsSubmitted().flat();
    expect(new Set(submitted)).toEqual(new Set(kept));
    expect(submitted).toHaveLength(kept.length);

    const cells = await read(page, resultRange(addresses.length));
    expect(cells.slice(50, 150)).toEqual(cleared.map(() => [null, null]));
    expect(mismatches([...cells.slice(0, 50), ...cells.slice(150)], kept)).toEqual([]);

    figures.cancellation = {
      cells: addresses.length,
      cleared: cleared.length,
      submitted: submitted.length,
      cancelled: stats.onCanceledCalls,
      jobs: e2e.emulator.counts().submit,
      logTotals: await page.evaluate(() => window.__workbench.logTotals()),
    };
  });
});
