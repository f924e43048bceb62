// The host adapter the task pane uses in the workbench (globalThis.geobatchHost, pane-host.ts):
// select a cell, read the selection, recalculate some cells, freeze formulas as values. Driven
// with the fixture add-in, whose STAMP counts the calls of each cell address.

import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type {} from "./fixtures/fixture";
import { FIXTURES, readCells, useE2E, waitForIdle } from "./harness";

const e2e = useE2E({ addinRoot: path.join(FIXTURES, "addin") });

async function openFixtureWorkbench() {
  const opened = await e2e.open("/workbench.html?sheet=empty");
  await opened.page.evaluate(() => window.__workbench.ready);
  return opened;
}

function gridCell(page: Page, row: number, column: number) {
  return page.locator(".grid-rows .grid-row").nth(row).locator(".cell").nth(column);
}

const selected = (page: Page) => page.evaluate(() => globalThis.geobatchHost!.selectedAddresses());

describe("selection", () => {
  it("selectCell moves the selection; selectedAddresses lists each selected cell", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => globalThis.geobatchHost!.selectCell("Sheet1!C5"));
    expect(await page.locator("#name-box").textContent()).toBe("C5");
    expect(await selected(page)).toEqual(["Sheet1!C5"]);

    await page.evaluate(() => globalThis.geobatchHost!.selectCell("Sheet1!B2:C3"));
    expect(await selected(page)).toEqual(["Sheet1!B2", "Sheet1!C2", "Sheet1!B3", "Sheet1!C3"]);

    // Shift-click and drag in the grid select ranges too.
    await gridCell(page, 3, 0).click();
    await gridCell(page, 4, 1).click({ modifiers: ["Shift"] });
    expect(await selected(page)).toEqual(["Sheet1!A4", "Sheet1!B4", "Sheet1!A5", "Sheet1!B5"]);
    await gridCell(page, 6, 2).hover();
    await page.mouse.down();
    await gridCell(page, 7, 2).hover();
    await page.mouse.up();
    expect(await selected(page)).toEqual(["Sheet1!C7", "Sheet1!C8"]);

    const refused = await page.evaluate(() =>
      globalThis.geobatchHost!.selectCell("Sheet2!A1").then(
        () => "selected",
        (error: Error) => error.message
      )
    );
    expect(refused).toMatch(/No sheet named Sheet2/);
  });
});

describe("recalculate", () => {
  it("invokes the given cells' formulas again and no other", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => {
      window.__workbench.setCells("A1", [["a"], ["b"], ["c"]]);
      window.__workbench.setCells("B1", [
        ["=FIX.STAMP(A1)"],
        ["=FIX.STAMP(A2)"],
        ["=FIX.STAMP(A3)"],
      ]);
    });
    await waitForIdle(page);
    expect(await readCells(page, "B1:B3")).toEqual([["a #1"], ["b #1"], ["c #1"]]);

    await page.evaluate(() => globalThis.geobatchHost!.recalculate(["Sheet1!B2", "Sheet1!A3"]));
    await waitForIdle(page);
    // A3 holds no formula: nothing to recalculate there, and B3 (which reads it) is untouched.
    expect(await readCells(page, "B1:B3")).toEqual([["a #1"], ["b #2"], ["c #1"]]);
    const record = await page.evaluate(() => window.fixture);
    expect(record.calls.STAMP).toBe(4);
    // invocation.address is the cell's real address.
    expect(record.byAddress).toEqual({ "Sheet1!B1": 1, "Sheet1!B2": 2, "Sheet1!B3": 1 });
  });
});

describe("freeze as values", () => {
  it("replaces formulas with their values: spills from their anchor, entities kept", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => {
      const wb = window.__workbench;
      wb.setCell("A1", "Big Ben");
      wb.setCell("B1", "=FIX.PAIR(1, 2)");
      wb.setCell("B2", "=FIX.PLACE(A1)");
      wb.setCells("B3", [["typed", '=FIX.STAMP("x")']]);
    });
    await waitForIdle(page);

    // What the pane's "Freeze" does through the adapter: the selection's FIX.* formulas become
    // the values they show, a spill written whole from its anchor.
    const frozen = await page.evaluate(async () => {
      const host = globalThis.geobatchHost!;
      await host.selectCell("Sheet1!B1:C3");
      const addresses = await host.selectedAddresses();
      const formulas = await host.readFormulas(addresses);
      const anchors = addresses.filter((_, index) => /^=\s*FIX\./i.test(formulas[index]));
      for (const address of anchors) {
        await host.writeValues(address, await host.readValues(address));
      }
      return { anchors, formulas: await host.readFormulas(addresses) };
    });
    expect(frozen.anchors).toEqual(["Sheet1!B1", "Sheet1!B2", "Sheet1!C3"]);
    expect(frozen.formulas).toEqual(["1", "2", "Big Ben, Testville", "", "typed", "x #1"]);

    const cells = await readCells(page, "B1:C3");
    expect(cells[0]).toEqual([1, 2]);
    expect(cells[1][0]).toMatchObject({
      type: "Entity",
      text: "Big Ben, Testville",
      properties: { Latitude: { type: "Double", basicValue: 7 } },
    });
    expect(cells[2]).toEqual(["typed", "x #1"]);

    // Nothing recalculates a frozen cell: no call, even when its argument changes; the frozen
    // entity still has its fields and its card.
    await page.evaluate(() => {
      window.__workbench.setCell("A1", "Tower Bridge");
      window.__workbench.recalculate();
      window.__workbench.setCell("D2", "=B2.Latitude");
    });
    await waitForIdle(page);
    expect(await readCells(page, "D2")).toEqual([[7]]);
    expect(await page.evaluate(() => window.fixture.calls)).toMatchObject({
      PAIR: 1,
      PLACE: 1,
      STAMP: 1,
    });
    expect(await gridCell(page, 1, 1).getAttribute("class")).toMatch(/\bcell-entity\b/);
  });

  it("writes nothing when a value is not one a cell can hold", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => window.__workbench.setCell("B1", "=FIX.PAIR(1, 2)"));
    await waitForIdle(page);
    const refused = await page.evaluate(() =>
      globalThis
        .geobatchHost!.writeValues("Sheet1!B1", [[5, { not: "a value" } as unknown as string]])
        .then(
          () => "written",
          (error: Error) => error.name
        )
    );
    expect(refused).toBe("TypeError");
    expect(await page.evaluate(() => globalThis.geobatchHost!.readFormulas(["Sheet1!B1"]))).toEqual(
      ["=FIX.PAIR(1, 2)"]
    );
    expect(await readCells(page, "B1:C1")).toEqual([[1, 2]]);
  });
});
