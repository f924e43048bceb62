// The pane's sheet tools in the workbench, through its host adapter and the real emulator: the
// failed-cell list (hostile addresses shown as text, selection in the grid, Retry failed), the
// cache (its size, Clear cache, Forget selected), the map and Freeze as values.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, useE2E, waitForIdle } from "./harness";
import { openPane, typeRows } from "./pane-support";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });

/** Addresses without a digit that no gazetteer knows: Geoapify (the emulator) finds nothing. */
const HOSTILE = [`<img src=x onerror="window.pwned=true">`, `<script>window.pwned=true</script>`];
const GOOD = [
  "1 Main Street Springfield",
  "2 Main Street Springfield",
  "3 Main Street Springfield",
];

const host = {
  select: (page: Page, address: string) =>
    page.evaluate((ref) => globalThis.geobatchHost!.selectCell(ref), address),
  selected: (page: Page) => page.evaluate(() => globalThis.geobatchHost!.selectedAddresses()),
  formulas: (page: Page, addresses: string[]) =>
    page.evaluate((refs) => globalThis.geobatchHost!.readFormulas(refs), addresses),
};

describe("failed cells", () => {
  it("lists them as text, selects one in the grid, and retries just those", async () => {
    const { page, errors } = await openPane(e2e, { storage: e2e.settings });
    await typeRows(page, [GOOD[0], ...HOSTILE, GOOD[1]]);
    await waitForIdle(page);
    const items = page.locator("#failed-list li");
    await expect.poll(() => items.count()).toBe(2);
    expect(
      await items.evaluateAll((li) => li.map((item) => item.getAttribute("data-cell")))
    ).toEqual(["Sheet1!B3", "Sheet1!B4"]);
    expect(await items.locator(".failed-input").allTextContents()).toEqual(HOSTILE);
    expect(await items.locator(".failed-reason").first().textContent()).toMatch(/No match/i);
    expect(await page.locator("#geobatch-pane img, #geobatch-pane script").count()).toBe(0);
    expect(await page.evaluate(() => "pwned" in window)).toBe(false);

    // Selecting goes to the workbench cell, as it goes to the Excel cell in Excel.
    await page.locator('[aria-label="Select Sheet1!B4"]').click();
    await expect.poll(() => host.selected(page)).toEqual(["Sheet1!B4"]);
    expect(await page.locator("#name-box").textContent()).toBe("B4");

    // The cache holds what Geoapify answered, not-found included; cleared, retrying asks again.
    await expect
      .poll(() => page.locator("#cache-stats").textContent())
      .toMatch(/^The cache holds 4 answers \([\d.]+ (bytes|KB)\)\.$/);
    await page.locator("#clear-cache").click();
    await expect
      .poll(() => page.locator("#sheet-message").textContent())
      .toBe("Cached results cleared.");
    expect(await page.locator("#cache-stats").textContent()).toBe(
      "The cache holds 0 answers (0 bytes)."
    );
    const calls = (await page.evaluate(() => window.__workbench.hostStats())).calls;
    await page.locator("#retry-failed").click();
    await expect
      .poll(() => page.locator("#failed-message").textContent())
      .toBe("Recalculating 2 cells.");
    await waitForIdle(page);
    expect((await page.evaluate(() => window.__workbench.hostStats())).calls).toBe(calls + 2);
    const jobs = e2e.emulator.jobsSubmitted();
    expect(jobs).toHaveLength(2);
    expect(new Set(jobs[1])).toEqual(new Set(HOSTILE));
    expect(errors).toEqual([]);
  });
});

describe("the map", () => {
  it("draws one point per geocoded cell of this session", async () => {
    const { page } = await openPane(e2e, { storage: e2e.settings });
    const addresses = Array.from({ length: 60 }, (_, i) => `${i + 1} High Street`);
    await typeRows(page, [...addresses, HOSTILE[0]]);
    await waitForIdle(page);
    const canvas = page.locator("#geobatch-pane canvas.map-canvas");
    await expect.poll(() => canvas.getAttribute("data-points")).toBe("60");
    expect(await canvas.getAttribute("aria-label")).toMatch(
      /^World map with 60 geocoded cells: \d+ in [^.]+\. Confidence: [^.]+\.$/
    );
    await page.locator("#geobatch-pane #map").scrollIntoViewIfNeeded();
    await screenshot(page, "pane-finished-with-map");
  });
});

describe("forget selected", () => {
  it("drops the selected cell's answers only: the next recalculation sends just that one", async () => {
    const { page } = await openPane(e2e, { storage: e2e.settings });
    await typeRows(page, GOOD);
    await waitForIdle(page);
    await host.select(page, "Sheet1!B3");
    await page.locator("#forget-selected").click();
    await expect
      .poll(() => page.locator("#sheet-message").textContent())
      .toBe("Forgot 1 cached answer.");
    await page.getByRole("button", { name: "Recalculate" }).click();
    await waitForIdle(page);
    expect(e2e.emulator.jobsSubmitted()).toEqual([GOOD, [GOOD[1]]]);

    await host.select(page, "Sheet1!A1");
    await page.locator("#forget-selected").click();
    await expect
      .poll(() => page.locator("#sheet-message").textContent())
      .toBe("No geocoded cell in the selection.");
  });
});

describe("freeze as values", () => {
  it("replaces the selected GEO formulas by their values, whole spills, entities kept", async () => {
    const { page } = await openPane(e2e, { storage: e2e.settings });
    await typeRows(page, [...GOOD, HOSTILE[0]]);
    await page.evaluate(() => {
      window.__workbench.setCell("D2", "=GEO.PLACE(A2)");
      window.__workbench.setCell("E2", "=D2.Latitude");
    });
    await waitForIdle(page);
    const before = await page.evaluate(() => window.__workbench.read("B2:D5"));

    // B2:E5: three LOCATION spills, one failed cell, an entity and a field reference to it.
    await host.select(page, "Sheet1!B2:E5");
    await page.locator("#freeze").click();
    const dialog = page.locator("fluent-dialog#freeze-dialog");
    await expect.poll(() => dialog.locator("p").textContent()).toMatch(/Excel cannot undo this\.$/);
    await screenshot(page, "pane-freeze-confirm");
    await page.locator("#freeze-confirm").click();
    await expect
      .poll(() => page.locator("#sheet-message").textContent())
      .toBe("Froze 4 formulas. 1 still calculating or failed stays a formula.");

    const formulas = await host.formulas(
      page,
      ["B2", "C2", "D2", "B3", "B5", "E2"].map((c) => `Sheet1!${c}`)
    );
    // Constants now where GEO formulas were; the failed cell and the field reference stay.
    expect(formulas.slice(0, 4).filter((formula) => formula.startsWith("="))).toEqual([]);
    expect(formulas.slice(4)).toEqual(["=GEO.LOCATION(A5)", "=D2.Latitude"]);
    const after = await page.evaluate(() => window.__workbench.read("B2:D5"));
    expect(after).toEqual(before);
    expect(after[0][2]).toMatchObject({ type: "Entity", text: expect.any(String) });

    // Frozen cells never geocode again, not even once the cache is gone: only B5 asks.
    await page.locator("#clear-cache").click();
    await expect
      .poll(() => page.locator("#sheet-message").textContent())
      .toBe("Cached results cleared.");
    await page.getByRole("button", { name: "Recalculate" }).click();
    await waitForIdle(page);
    expect(e2e.emulator.jobsSubmitted().slice(1)).toEqual([[HOSTILE[0]]]);
  });
});
