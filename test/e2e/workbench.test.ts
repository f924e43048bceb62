// GeoBatch end to end: the production functions.js (dist/) in the workbench, in Chromium, against
// the Geoapify emulator on its own port. Every test checks what the cells show and what the
// emulator was asked, because batching is only worth anything if both are right.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { geocode } from "../../src/dev/emulator/gazetteer";
import { SETTING_KEYS } from "../../src/settings/settings";
import {
  readCells as read,
  screenshot,
  typeSheet,
  useE2E,
  waitForIdle,
  waitForPersisted,
} from "./harness";

/** The article's addresses and where they are, to four decimals. */
const ARTICLE: Array<[address: string, lat: number, lon: number]> = [
  ["1600 Pennsylvania Avenue Washington DC", 38.8977, -77.0365],
  ["11 Wall Street New York", 40.7069, -74.0112],
  ["350 Fifth Avenue New York", 40.7484, -73.9857],
  ["221B Baker St London", 51.5237, -0.1585],
  ["Tour Eiffel Champ de Mars Paris", 48.8583, 2.2945],
  ["4059 Mt Lee Dr Hollywood", 34.1341, -118.3215],
  ["Buckingham Palace London", 51.5014, -0.1419],
  ["Statue of Liberty New York", 40.6892, -74.0445],
  ["Manger Square Bethlehem", 31.7043, 35.2069],
  ["2 Macquarie Street Sydney", -33.8568, 151.2153],
];

const e2e = useE2E({
  // Fast but not instant: jobs stay pending for a poll or two, as real ones do.
  emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 },
});

/** The grid's cell element for a row and column of the visible window (0-based). */
function gridCell(page: Page, row: number, column: number) {
  return page.locator(".grid-rows .grid-row").nth(row).locator(".cell").nth(column);
}

function expectArticleCoordinates(cells: unknown[][]): void {
  expect(cells).toHaveLength(ARTICLE.length);
  cells.forEach(([lat, lon], index) => {
    const [address, expectedLat, expectedLon] = ARTICLE[index];
    expect(typeof lat, address).toBe("number");
    expect(lat as number, address).toBeCloseTo(expectedLat, 4);
    expect(lon as number, address).toBeCloseTo(expectedLon, 4);
  });
}

/** What the emulator computes for an address: the reference for synthetic ones. */
function expectedPlace(address: string): [number, number] {
  const result = geocode(address);
  return [result.lat as number, result.lon as number];
}

function mismatches(cells: unknown[][], addresses: string[]): string[] {
  return addresses.flatMap((address, index) => {
    const [lat, lon] = expectedPlace(address);
    const [gotLat, gotLon] = cells[index];
    return gotLat === lat && gotLon === lon
      ? []
      : [`${address}: ${JSON.stringify(cells[index])}, expected [${lat}, ${lon}]`];
  });
}

describe("geocoding", () => {
  it("geocodes the article's ten addresses with one batch job", async () => {
    const { page, errors } = await e2e.openWorkbench({ sample: true, storage: e2e.settings });
    await waitForIdle(page);

    expect(await read(page, "A2:A11")).toEqual(ARTICLE.map(([address]) => [address]));
    expectArticleCoordinates(await read(page, "B2:C11"));
    const counts = e2e.emulator.counts();
    expect(counts.submit).toBe(1);
    expect(counts.addressesSubmitted).toBe(10);
    expect(e2e.emulator.jobsSubmitted()[0].sort()).toEqual(ARTICLE.map(([a]) => a).sort());
    expect(counts.poll).toBeGreaterThanOrEqual(1);

    // The log shows the batch: ten addresses, ten cells, ten answers, and its job's requests.
    const [batch, ...others] = await page.evaluate(() => window.__workbench.batches());
    expect(others).toEqual([]);
    expect(batch).toMatchObject({ size: 10, waiters: 10, fulfilled: 10, rejected: 0 });
    expect(batch.polls).toBe(counts.poll);
    expect(batch.requests).toBe(counts.total);
    await expect
      .poll(() => page.locator(".batch-log tbody tr").first().locator("td").allTextContents())
      .toEqual([
        "1",
        "10 / 10",
        expect.any(String),
        expect.any(String),
        `${batch.polls} / ${batch.requests}`,
        "10 ok",
      ]);
    // The grid paints the numbers.
    await expect.poll(() => gridCell(page, 1, 1).textContent()).toBe("38.8976763");
    expect(errors).toEqual([]);
    await screenshot(page, "workbench-article");
  });

  it("geocodes 10,000 pasted addresses in at most 12 jobs of at most 1,000", async () => {
    const { page, errors } = await e2e.openWorkbench({ storage: e2e.settings });
    const addresses = Array.from(
      { length: 10_000 },
      (_, index) => `${index + 1} Synthetic Street, Testville`
    );
    // As a user would: paste the column into A2, type the formula into B2, fill it down.
    await gridCell(page, 1, 0).click();
    await page.evaluate(
      (text) => {
        const data = new DataTransfer();
        data.setData("text/plain", text);
        const paste = new ClipboardEvent("paste", { clipboardData: data, bubbles: true });
        document.querySelector(".grid")?.dispatchEvent(paste);
      },
      addresses.join("\n") + "\n"
    );
    await gridCell(page, 1, 1).click();
    await page.keyboard.type("=GEO.LOCATION(A2)");
    await page.keyboard.press("Enter");
    await gridCell(page, 1, 1).click();
    await page.getByRole("button", { name: "Fill down" }).click();
    await waitForIdle(page, 120_000);

    const counts = e2e.emulator.counts();
    expect(counts.submit).toBeLessThanOrEqual(12);
    expect(counts.largestJob).toBeLessThanOrEqual(1000);
    // Each address was sent once.
    expect(counts.addressesSubmitted).toBe(10_000);
    expect(new Set(e2e.emulator.jobsSubmitted().flat()).size).toBe(10_000);

    const cells = await read(page, "B2:C10001");
    expect(mismatches(cells, addresses).slice(0, 5)).toEqual([]);
    // Only the rows in view are in the DOM.
    expect(await page.locator(".grid-row").count()).toBeLessThan(100);
    expect(errors).toEqual([]);
    await screenshot(page, "workbench-10000");
  });

  it("sends each of 200 distinct addresses once for 2,000 cells", async () => {
    const { page } = await e2e.openWorkbench({ storage: e2e.settings });
    const addresses = Array.from(
      { length: 2_000 },
      (_, index) => `${(index % 200) + 1} Repeat Road`
    );
    await page.evaluate((column) => {
      const wb = window.__workbench;
      wb.setCells(
        "A2",
        column.map((address) => [address])
      );
      wb.setCell("B2", "=GEO.LOCATION(A2)");
      wb.fillDown("B2");
    }, addresses);
    await waitForIdle(page, 60_000);

    const counts = e2e.emulator.counts();
    expect(counts.addressesSubmitted).toBeLessThanOrEqual(200);
    expect(new Set(e2e.emulator.jobsSubmitted().flat())).toEqual(new Set(addresses));
    expect(mismatches(await read(page, "B2:C2001"), addresses).slice(0, 5)).toEqual([]);
  });

  it("recalculates an unchanged sheet without a request, after a reload too", async () => {
    const { page } = await e2e.openWorkbench({ sample: true, storage: e2e.settings });
    await waitForIdle(page);
    const before = e2e.emulator.counts();
    expect(before.submit).toBe(1);

    await page.getByRole("button", { name: "Recalculate" }).click();
    await waitForIdle(page);
    expectArticleCoordinates(await read(page, "B2:C11"));
    expect(e2e.emulator.counts()).toEqual(before);
    expect((await page.evaluate(() => window.__workbench.logTotals())).cacheHits).toBe(10);

    // The cache persists: reopening the workbook answers from it, once its writes (which
    // gather for a moment) have reached IndexedDB.
    await waitForPersisted(page, 10);
    await page.reload();
    await page.evaluate(() => window.__workbench.ready);
    await waitForIdle(page);
    expectArticleCoordinates(await read(page, "B2:C11"));
    expect(e2e.emulator.counts()).toEqual(before);
  });
});

describe("cancellation", () => {
  it("does not send addresses whose every cell was cleared before the batch left", async () => {
    const { page } = await e2e.openWorkbench({ storage: e2e.settings });
    const addresses = Array.from({ length: 20 }, (_, index) => `${index + 1} Cancel Lane`);
    // Row 22 shares row 12's address, so that address keeps one waiter.
    addresses.push(addresses[10]);
    await typeSheet(page, addresses, { clearInSameTask: "B12:B21" });
    await waitForIdle(page);

    const stats = await page.evaluate(() => window.__workbench.hostStats());
    expect(stats.calls).toBe(21);
    expect(stats.onCanceledCalls).toBe(10);
    const sent = new Set(e2e.emulator.jobsSubmitted().flat());
    expect(sent).toEqual(new Set([...addresses.slice(0, 10), addresses[10]]));
    expect(e2e.emulator.counts().submit).toBe(1);

    const cells = await read(page, "B2:C22");
    expect(cells.slice(10, 20)).toEqual(Array.from({ length: 10 }, () => [null, null]));
    const kept = [...cells.slice(0, 10), cells[20]];
    const keptAddresses = [...addresses.slice(0, 10), addresses[20]];
    expect(mismatches(kept, keptAddresses)).toEqual([]);
  });

  it("keeps collecting a submitted job every cell left, and a new cell attaches to it", async () => {
    const { page } = await e2e.openWorkbench({ storage: e2e.settings });
    // The job stays pending until the test lets it finish: no clock decides what is in flight.
    e2e.emulator.set({ neverFinish: true });
    const addresses = Array.from({ length: 5 }, (_, index) => `${index + 1} Abandoned Alley`);
    await typeSheet(page, addresses);
    // The job is accepted and pending: the batch is in flight.
    await expect.poll(() => e2e.emulator.jobsSubmitted().length, { timeout: 10_000 }).toBe(1);

    await page.evaluate(() => window.__workbench.clear("B2:B6"));
    await waitForIdle(page);
    expect(await read(page, "B2:C6")).toEqual(Array.from({ length: 5 }, () => [null, null]));

    // The job was paid for: it is still polled although nobody waits for it, and a new cell
    // for one of its addresses attaches to it instead of paying again.
    const polls = e2e.emulator.counts().poll;
    await expect.poll(() => e2e.emulator.counts().poll, { timeout: 20_000 }).toBeGreaterThan(polls);
    await page.evaluate(() => window.__workbench.setCell("B2", "=GEO.LOCATION(A2)"));
    e2e.emulator.set({ neverFinish: false });
    await waitForIdle(page, 60_000);
    expect(mismatches(await read(page, "B2:C2"), addresses.slice(0, 1))).toEqual([]);
    expect(e2e.emulator.jobsSubmitted()).toEqual([addresses]);
  });
});

describe("errors", () => {
  it("shows #N/A with a message for an address nobody knows", async () => {
    const { page } = await e2e.openWorkbench({ storage: e2e.settings });
    // Typed through the grid and the formula bar.
    await gridCell(page, 1, 0).click();
    await page.keyboard.type("Atlantis Nowhere");
    await page.keyboard.press("Enter");
    await gridCell(page, 1, 1).click();
    await page.keyboard.type("=GEO.LOCATION(A2)");
    await page.keyboard.press("Enter");
    await waitForIdle(page);

    expect(await read(page, "A2:C2")).toEqual([
      ["Atlantis Nowhere", { error: "#N/A", message: 'No match for "Atlantis Nowhere"' }, null],
    ]);
    const counts = e2e.emulator.counts();
    expect(counts.submit).toBe(1);
    expect(e2e.emulator.jobsSubmitted()).toEqual([["Atlantis Nowhere"]]);
    await gridCell(page, 1, 1).click();
    await expect
      .poll(() => page.locator("#cell-detail").textContent())
      .toBe('B2: #N/A No match for "Atlantis Nowhere"');
  });

  it("shows #VALUE! for an empty or non-text address without any request", async () => {
    const { page } = await e2e.openWorkbench({ storage: e2e.settings });
    await page.evaluate(() => {
      const wb = window.__workbench;
      wb.setCells("A3", [["   "], ["42"]]);
      wb.setCells("B2", [
        ["=GEO.LOCATION(A2)"],
        ["=GEO.LOCATION(A3)"],
        ["=GEO.LOCATION(A4)"],
        ['=GEO.LOCATION("")'],
      ]);
    });
    await waitForIdle(page);
    const cells = await read(page, "B2:B5");
    for (const [cell] of cells) expect(cell).toMatchObject({ error: "#VALUE!" });
    expect(e2e.emulator.counts().total).toBe(0);
  });

  it("asks for the API key, without a request, when none is saved", async () => {
    const { page } = await e2e.openWorkbench({
      // The endpoint is set: only the missing key may stop the requests.
      storage: { [SETTING_KEYS.baseUrl]: e2e.emulatorUrl },
    });
    await typeSheet(
      page,
      ARTICLE.map(([address]) => address)
    );
    await waitForIdle(page);

    const cells = await read(page, "B2:B11");
    for (const [cell] of cells) {
      expect(cell).toMatchObject({ error: "#VALUE!", message: expect.stringMatching(/API key/) });
    }
    expect(e2e.emulator.counts().total).toBe(0);
    expect(await page.locator(".settings-state").textContent()).toMatch(/No API key/);
    await screenshot(page, "workbench-no-key");
  });

  for (const status of [429, 500] as const) {
    it(`recovers from HTTP ${status} on the first two requests`, async () => {
      e2e.emulator.inject({ response: { status } }, { response: { status } });
      const { page } = await e2e.openWorkbench({ sample: true, storage: e2e.settings });
      await waitForIdle(page, 60_000);

      expectArticleCoordinates(await read(page, "B2:C11"));
      const failed = e2e.emulator.requests.filter((request) => request.status === status);
      expect(failed).toHaveLength(2);
      expect(e2e.emulator.jobsSubmitted()).toHaveLength(1);
      const [batch] = await page.evaluate(() => window.__workbench.batches());
      expect(batch.requests).toBe(e2e.emulator.counts().total);
    });
  }

  it("still geocodes when every answer takes 500 ms", async () => {
    e2e.emulator.set({ latencyMs: 500 });
    const { page } = await e2e.openWorkbench({ sample: true, storage: e2e.settings });
    await waitForIdle(page, 60_000);
    expectArticleCoordinates(await read(page, "B2:C11"));
    expect(e2e.emulator.counts().submit).toBe(1);
  });

  it("stops a cell's wait at the job timeout, and says the job is still being collected", async () => {
    e2e.emulator.set({ neverFinish: true });
    const { page } = await e2e.openWorkbench({
      storage: { ...e2e.settings, [SETTING_KEYS.jobTimeoutMs]: "3000" },
    });
    await typeSheet(
      page,
      ARTICLE.slice(0, 5).map(([address]) => address)
    );
    await waitForIdle(page, 15_000);

    for (const [cell] of await read(page, "B2:B6")) {
      expect(cell).toMatchObject({
        error: "#N/A",
        message: "Geoapify is still working on this batch; recalculate later to collect it",
      });
    }
    const counts = e2e.emulator.counts();
    expect(counts.submit).toBe(1);
    expect(counts.poll).toBeGreaterThanOrEqual(1);
  });

  it("shows #N/A, and no #BUSY!, when every answer is malformed", async () => {
    e2e.emulator.inject(...Array.from({ length: 20 }, () => ({ response: "malformed" as const })));
    const { page } = await e2e.openWorkbench({ sample: true, storage: e2e.settings });
    await waitForIdle(page, 60_000);

    for (const [cell] of await read(page, "B2:B11")) {
      expect(cell).toMatchObject({ error: "#N/A", message: expect.any(String) });
    }
    expect(e2e.emulator.counts().total).toBeGreaterThanOrEqual(1);
    expect(e2e.emulator.jobsSubmitted()).toEqual([]);
  });

  it("shows #N/A only for the address a job's answer left out", async () => {
    e2e.emulator.inject({ on: "poll", response: "wrong-length" });
    const { page } = await e2e.openWorkbench({ sample: true, storage: e2e.settings });
    await waitForIdle(page, 60_000);

    const [job] = e2e.emulator.jobsSubmitted();
    const missing = job[job.length - 1];
    const cells = await read(page, "B2:C11");
    ARTICLE.forEach(([address], index) => {
      if (address === missing) {
        expect(cells[index]).toEqual([{ error: "#N/A", message: expect.any(String) }, null]);
      } else {
        expect(cells[index][0], address).toBeCloseTo(ARTICLE[index][1], 4);
      }
    });
    expect(e2e.emulator.counts().submit).toBe(1);
  });

  it("puts each result in its own cell when a job answers out of order", async () => {
    e2e.emulator.inject({ on: "poll", response: "reorder" });
    const { page } = await e2e.openWorkbench({ sample: true, storage: e2e.settings });
    await waitForIdle(page, 60_000);
    expectArticleCoordinates(await read(page, "B2:C11"));
    expect(e2e.emulator.counts().submit).toBe(1);
  });
});
