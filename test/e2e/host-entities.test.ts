// Entity values in the workbench, with the fixture add-in's FIX.PLACE (shaped as GEO.PLACE's
// result): the cell shows the entity's text with a card marker, selecting it opens its card,
// and =E2.Latitude or =E2.[Match type] reads a field and follows E2's changes.

import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type {} from "./fixtures/fixture";
import { FIXTURES, readCells, useE2E, waitForIdle } from "./harness";

declare global {
  interface Window {
    /** Set by the hostile address's markup, were it ever parsed. */
    pwned?: boolean;
  }
}

const e2e = useE2E({ addinRoot: path.join(FIXTURES, "addin") });

async function openFixtureWorkbench() {
  const opened = await e2e.open("/workbench.html?sheet=empty");
  await opened.page.evaluate(() => window.__workbench.ready);
  return opened;
}

/** The grid's cell element for a row and column of the visible window (0-based). */
function gridCell(page: Page, row: number, column: number) {
  return page.locator(".grid-rows .grid-row").nth(row).locator(".cell").nth(column);
}

const calls = (page: Page) => page.evaluate(() => window.fixture.calls);

describe("a cell holding an entity", () => {
  it("shows the entity's text with a card marker, and its card when selected", async () => {
    const { page, errors } = await openFixtureWorkbench();
    await page.evaluate(() => {
      window.__workbench.setCell("A2", "Buckingham Palace");
      window.__workbench.setCell("E2", "=FIX.PLACE(A2)");
    });
    await waitForIdle(page);
    expect(await readCells(page, "E2")).toEqual([
      [expect.objectContaining({ type: "Entity", text: "Buckingham Palace, Testville" })],
    ]);
    const cell = gridCell(page, 1, 4);
    await expect.poll(() => cell.textContent()).toBe("Buckingham Palace, Testville");
    expect(await cell.getAttribute("class")).toMatch(/\bcell-entity\b/);

    const card = page.locator(".card-panel");
    expect(await card.isVisible()).toBe(false);
    await cell.click();
    await expect.poll(() => card.isVisible()).toBe(true);
    expect(await card.locator("h2").textContent()).toBe("Buckingham Palace");
    expect(await card.locator("section h3").allTextContents()).toEqual([
      "Location",
      "Match quality",
    ]);
    expect(await card.locator("dt").allTextContents()).toEqual([
      "Latitude",
      "Longitude",
      "Confidence",
      "Match type",
    ]);
    expect(await card.locator("dd").allTextContents()).toEqual([
      "17",
      "-0.5",
      "0.95",
      "full_match",
    ]);
    const provider = card.locator(".card-provider a");
    expect(await provider.textContent()).toBe("Data: Fixture data, © OpenStreetMap contributors");
    expect(await provider.getAttribute("href")).toBe("https://www.openstreetmap.org/copyright");

    // Another cell closes it; the close button and Escape do too.
    await gridCell(page, 1, 0).click();
    await expect.poll(() => card.isVisible()).toBe(false);
    await cell.click();
    await expect.poll(() => card.isVisible()).toBe(true);
    await card.getByRole("button", { name: "Close the card" }).click();
    expect(await card.isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });

  it("shows text from a sheet as text in the card, never as markup", async () => {
    const { page } = await openFixtureWorkbench();
    const hostile = '<img src=x onerror="window.pwned=true"><b>bold</b>';
    await page.evaluate((name) => {
      window.__workbench.setCell("A2", name);
      window.__workbench.setCell("B2", "=FIX.PLACE(A2)");
    }, hostile);
    await waitForIdle(page);
    await gridCell(page, 1, 1).click();
    const card = page.locator(".card-panel");
    await expect.poll(() => card.locator("h2").textContent()).toBe(hostile);
    expect(await card.locator("img, b").count()).toBe(0);
    expect(await page.evaluate(() => window.pwned)).toBeUndefined();
  });

  it("is #VALUE! when functions.json does not allow custom data for 'any' results", async () => {
    const opened = await e2e.open("/workbench.html?sheet=empty", {
      prepare: (context) =>
        context.route("**/functions.json", async (route) => {
          const response = await route.fetch();
          const json = (await response.json()) as Record<string, unknown>;
          delete json.allowCustomDataForDataTypeAny;
          await route.fulfill({ response, json });
        }),
    });
    const { page } = opened;
    await page.evaluate(() => window.__workbench.ready);
    await page.evaluate(() => window.__workbench.setCell("A1", '=FIX.PLACE("Anywhere")'));
    await waitForIdle(page);
    expect(await readCells(page, "A1")).toEqual([[{ error: "#VALUE!" }]]);
    expect((await calls(page)).PLACE).toBe(1);
  });
});

describe("field references", () => {
  it("reads =E2.Latitude and =E2.[Match type], and follows E2 when it changes", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => {
      const wb = window.__workbench;
      wb.setCell("A2", "Buckingham Palace");
      wb.setCell("E2", "=FIX.PLACE(A2)");
      wb.setCells("F2", [["=E2.Latitude", "=E2.[Match type]", "=E2.Nope"]]);
      // Field names ignore case, as in Excel; a field is an argument like any other.
      wb.setCells("F3", [["=e2.latitude", "=FIX.TYPEOF(E2.Verified)", "=A2.Latitude"]]);
    });
    await waitForIdle(page);
    expect(await readCells(page, "F2:H3")).toEqual([
      [17, "full_match", { error: "#FIELD!", message: 'E2 has no field "Nope"' }],
      [17, "boolean", { error: "#FIELD!", message: "A2 holds no data type with fields" }],
    ]);
    expect((await calls(page)).PLACE).toBe(1);

    await page.evaluate(() => window.__workbench.setCell("A2", "Eiffel Tower"));
    await waitForIdle(page);
    expect(await readCells(page, "F2:G2")).toEqual([[12, "full_match"]]);
    expect((await calls(page)).PLACE).toBe(2);
    // Typed through the formula bar, the field formula shows as typed.
    await gridCell(page, 1, 6).click();
    expect(await page.locator("#formula").inputValue()).toBe("=E2.[Match type]");
  });

  it("waits while the entity is #BUSY!, and passes its error on", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => {
      const wb = window.__workbench;
      wb.setCell("A2", "Eiffel Tower");
      wb.setCell("B2", "=FIX.PLACE(A2)");
      // The entity goes whole through an 'any' parameter and comes back held.
      wb.setCell("C2", "=FIX.HOLD(B2)");
      wb.setCell("D2", "=C2.Latitude");
      wb.setCell("C3", '=FIX.FAIL("na", "Not found")');
      wb.setCell("D3", "=C3.Latitude");
    });
    await page.waitForFunction(() => window.fixture.calls.HOLD === 1);
    expect(await readCells(page, "D2:D3")).toEqual([
      [{ busy: true }],
      [{ error: "#N/A", message: "Not found" }],
    ]);
    await page.evaluate(() => window.fixture.release());
    await waitForIdle(page);
    expect(await readCells(page, "D2")).toEqual([[12]]);
  });
});
