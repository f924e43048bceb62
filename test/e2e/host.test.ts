// The workbench's stand-in for Excel's custom-functions host, driven with a fake add-in
// (fixtures/addin: functions that record what the host did) in a real browser with the real
// office.js. The GeoBatch bundle itself is tested in workbench.test.ts.

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  FIXTURES,
  readCells,
  ROOT,
  type OpenedPage,
  screenshot,
  useE2E,
  waitForIdle,
} from "./harness";
import type {} from "./fixtures/fixture";

const e2e = useE2E({
  addinRoot: path.join(FIXTURES, "addin"),
  extraRoots: [path.join(FIXTURES, "pages")],
});

const fixture = (page: Page) => page.evaluate(() => window.fixture);

async function openFixtureWorkbench(pathname = "/workbench.html?sheet=empty"): Promise<OpenedPage> {
  const opened = await e2e.open(pathname);
  await opened.page.evaluate(() => window.__workbench.ready);
  return opened;
}

/** Adds a script to the page and waits for it to run (or fail to). */
async function loadScript(page: Page, src: string): Promise<void> {
  await page.evaluate(
    (url) =>
      new Promise<void>((resolve) => {
        const script = document.createElement("script");
        script.src = url;
        script.onload = () => resolve();
        script.onerror = () => resolve();
        document.head.append(script);
      }),
    src
  );
}

describe("the CustomFunctions global", () => {
  for (const [order, pathname] of [
    ["office.js first, as workbench.html loads it", "/workbench.html?sheet=empty"],
    ["the host first", "/host-first.html?sheet=empty"],
  ]) {
    it(`survives office.js and the scripts loaded after it (${order})`, async () => {
      const { page } = await openFixtureWorkbench(pathname);
      const office = await page.evaluate(
        () => new Promise<unknown>((resolve) => Office.onReady((info) => resolve(info.host)))
      );
      // office.js really ran, outside Office: it reports no host.
      expect(office).toBeNull();

      // What office.js, its later scripts and custom-functions-runtime.js do to the global.
      await page.evaluate(() => {
        const global = window as unknown as Record<string, Record<string, unknown>>;
        global.CustomFunctions.associate = () => undefined;
        global.CustomFunctions.Error = class NotTheHostsError {};
        global.CustomFunctions = global.CustomFunctions || {};
      });
      await loadScript(page, "/office-js/custom-functions-runtime.js");
      await loadScript(page, "/office-js/office.js");

      // A function associated after all that is still called, and its CustomFunctions.Error
      // is still the host's: the message reaches the cell.
      await page.evaluate(() => window.fixture.associateLate());
      await page.evaluate(() => {
        window.__workbench.setCell("A1", '=FIX.LATE("still the host")');
        window.__workbench.setCell("A2", '=FIX.FAIL("na", "Nothing here")');
      });
      await waitForIdle(page, 10_000);
      const cells = await page.evaluate(() => window.__workbench.read("A1:A2"));
      expect(cells).toEqual([["still the host"], [{ error: "#N/A", message: "Nothing here" }]]);
      expect((await fixture(page)).calls.LATE).toBe(1);
    });
  }

  it("has Office's ErrorCode values and an Error class with code and message", async () => {
    const typings = await readFile(
      path.join(ROOT, "node_modules/@types/custom-functions-runtime/index.d.ts"),
      "utf8"
    );
    const enumBody = /enum ErrorCode \{([\s\S]*?)\n\s*\}/.exec(typings)?.[1] ?? "";
    const expected = Object.fromEntries(
      [...enumBody.matchAll(/(\w+) = "([^"]+)"/g)].map((match) => [match[1], match[2]])
    );
    expect(Object.keys(expected)).toHaveLength(7);

    const { page } = await openFixtureWorkbench();
    const inPage = await page.evaluate(() => {
      const error = new CustomFunctions.Error(CustomFunctions.ErrorCode.notAvailable, "gone");
      const bare = new CustomFunctions.Error(CustomFunctions.ErrorCode.invalidNumber);
      return {
        codes: { ...CustomFunctions.ErrorCode },
        error: { code: error.code, message: error.message, isError: error instanceof Error },
        bare: { code: bare.code, message: bare.message },
      };
    });
    expect(inPage.codes).toEqual(expected);
    expect(inPage.error).toEqual({ code: "#N/A", message: "gone", isError: true });
    expect(inPage.bare).toEqual({ code: "#NUM!", message: "" });
  });
});

describe("calls", () => {
  it("passes cell values and literals, and the invocation the metadata asks for", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => {
      const wb = window.__workbench;
      wb.setCells("A1", [["12"], ["some text"], ["TRUE"], [""]]);
      wb.setCells("B1", [
        ["=FIX.TYPEOF(A1)"],
        ["=FIX.TYPEOF(A2)"],
        ["=fix.typeof(A3)"],
        ["=FIX.TYPEOF(A4)"],
        ['=FIX.TYPEOF("literal")'],
        ["=FIX.WHERE($A$2)"],
        ['=FIX.SLOW("number coerced", "250")'],
        ['=FIX.SLOW("not a number", "soon")'],
      ]);
    });
    await waitForIdle(page);
    const cells = await page.evaluate(() => window.__workbench.read("B1:B8"));
    expect(cells).toEqual([
      ["number"],
      ["string"],
      ["boolean"],
      // An empty cell reaches an "any" parameter as null, as in Excel on the web.
      ["null"],
      ["string"],
      ["WHERE Sheet1!B6 Sheet1!A2"],
      ["number coerced"],
      // Excel does not call a function whose number parameter got text that is not a number.
      [{ error: "#VALUE!" }],
    ]);
    expect((await fixture(page)).calls.SLOW).toBe(1);
  });

  it("calls once per cell, a bounded run per macrotask, all in flight together", async () => {
    const { page } = await openFixtureWorkbench();
    const cells = 1_200;
    await page.evaluate((count) => {
      const rows = Array.from({ length: count }, (_, index) => [
        `value ${index + 1}`,
        `=FIX.HOLD(A${index + 1})`,
      ]);
      window.__workbench.setCells("A1", rows);
    }, cells);
    expect(await page.evaluate(() => window.__workbench.read("B1")[0][0])).toEqual({ busy: true });
    // Nothing answers until the test says so: every call is made while none has answered.
    await page.waitForFunction((count) => window.fixture.inFlight === count, cells);
    await page.evaluate(() => window.fixture.release());
    await waitForIdle(page);

    const record = await fixture(page);
    expect(record.calls.HOLD).toBe(cells);
    expect(record.tasks.reduce((sum, calls) => sum + calls, 0)).toBe(cells);
    expect(record.tasks.length).toBeGreaterThanOrEqual(cells / 500);
    for (const calls of record.tasks) expect(calls).toBeLessThanOrEqual(500);
    for (const calls of record.tasks.slice(0, -1)) expect(calls).toBeGreaterThanOrEqual(100);
    expect(record.maxInFlight).toBe(cells);

    const values = await page.evaluate((count) => window.__workbench.read(`B1:B${count}`), cells);
    expect(values.map((row) => row[0])).toEqual(
      Array.from({ length: cells }, (_, index) => `value ${index + 1}`)
    );
  });

  it("waits for functions the bundle associates late", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => {
      window.__workbench.setCell("A1", '=FIX.LATE("here")');
      window.__workbench.setCell("A2", '=FIX.TYPEOF("after")');
    });
    // A2 was queued after A1 and has answered: had the host called LATE, it would have by now.
    await page.waitForFunction(() => window.__workbench.read("A2")[0][0] === "string");
    expect(await page.evaluate(() => window.__workbench.read("A1")[0][0])).toEqual({ busy: true });
    expect((await fixture(page)).calls.LATE).toBeUndefined();
    await page.evaluate(() => window.fixture.associateLate());
    await waitForIdle(page);
    expect(await page.evaluate(() => window.__workbench.read("A1")[0][0])).toBe("here");
  });
});

describe("results", () => {
  it("spills arrays, shows #SPILL! when blocked and spills again once the range is clear", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => {
      const wb = window.__workbench;
      wb.setCell("B1", '=FIX.PAIR("left", "right")');
      wb.setCell("C2", "in the way");
      wb.setCell("B2", "=FIX.PAIR(1, 2)");
      // Column H is the last one: nowhere to spill.
      wb.setCell("H3", "=FIX.PAIR(1, 2)");
    });
    await waitForIdle(page);
    const read = (range: string) => readCells(page, range);
    expect(await read("B1:C3")).toEqual([
      ["left", "right"],
      [{ error: "#SPILL!", message: "The spill range isn't blank" }, "in the way"],
      [null, null],
    ]);
    expect(await read("H3")).toEqual([
      [{ error: "#SPILL!", message: "The spill range isn't blank" }],
    ]);
    const callsBefore = (await fixture(page)).calls.PAIR;

    await page.evaluate(() => window.__workbench.clear("C2"));
    expect(await read("B2:C2")).toEqual([[1, 2]]);
    // The blocked result spilled without a new call, as in Excel.
    expect((await fixture(page)).calls.PAIR).toBe(callsBefore);

    // Typing into a spilled cell blocks the spill.
    await page.evaluate(() => window.__workbench.setCell("C1", "typed"));
    expect(await read("B1:C1")).toEqual([
      [{ error: "#SPILL!", message: "The spill range isn't blank" }, "typed"],
    ]);
  });

  it("shows error codes, keeps messages only for #VALUE! and #N/A, and propagates errors", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => {
      window.__workbench.setCells("A1", [
        ['=FIX.FAIL("na", "Nothing here")'],
        ['=FIX.FAIL("value", "Bad input")'],
        ['=FIX.FAIL("div0", "Excel drops this message")'],
        ['=FIX.FAIL("return")'],
        ['=FIX.FAIL("plain")'],
        ['=FIX.FAIL("reject")'],
        ['=FIX.FAIL("nan")'],
        ["=FIX.NOPE(1)"],
        ["=FIX.TYPEOF(A1)"],
        ["=FIX.TYPEOF(1, 2)"],
      ]);
    });
    await waitForIdle(page);
    const cells = await page.evaluate(() => window.__workbench.read("A1:A10"));
    expect(cells.map((row) => row[0])).toEqual([
      { error: "#N/A", message: "Nothing here" },
      { error: "#VALUE!", message: "Bad input" },
      { error: "#DIV/0!" },
      { error: "#NUM!" },
      { error: "#VALUE!" },
      { error: "#VALUE!" },
      { error: "#NUM!" },
      { error: "#NAME?", message: "Unknown function FIX.NOPE" },
      // An error argument is passed on without calling the function.
      { error: "#N/A", message: "Nothing here" },
      { error: "#VALUE!", message: "FIX.TYPEOF takes 1 argument" },
    ]);
    expect((await fixture(page)).calls.TYPEOF).toBeUndefined();
  });

  it("streams setResult values until the cell is cleared", async () => {
    const { page } = await openFixtureWorkbench();
    await page.evaluate(() => window.__workbench.setCell("D4", "=FIX.TICK(1000)"));
    await page.waitForFunction(() => Number(window.__workbench.read("D4")[0][0]) >= 3);
    await page.evaluate(() => {
      window.__workbench.clear("D4");
      // A second stream ticks on: once it has ticked a few times, D4 had the same chances.
      window.__workbench.setCell("E4", "=FIX.TICK(1000)");
    });
    expect((await fixture(page)).cancelled).toEqual(["Sheet1!D4"]);
    await page.waitForFunction(() => Number(window.__workbench.read("E4")[0][0]) >= 4);
    expect(await page.evaluate(() => window.__workbench.read("D4")[0][0])).toBeNull();
  });
});

describe("cancellation", () => {
  it("cancels a pending call when its cell is edited, cleared or recalculated", async () => {
    const { page, errors } = await openFixtureWorkbench();
    await page.evaluate(() => {
      const wb = window.__workbench;
      wb.setCells("A1", [["one"], ["two"], ["three"], ["four"], ["five"]]);
      wb.setCells("B1", [
        ["=FIX.HOLD(A1)"],
        ["=FIX.HOLD(A2)"],
        ["=FIX.HOLD(A3)"],
        ["=FIX.HOLD(A4)"],
        ["=FIX.HOLDPLAIN(A5)"],
      ]);
    });
    await page.waitForFunction(() => window.fixture.inFlight === 5);
    await page.evaluate(() => {
      const wb = window.__workbench;
      wb.clear("B1");
      wb.setCell("B2", "replaced");
      // Changing an argument recalculates the dependant: cancel, then a new call.
      wb.setCell("A3", "three again");
      wb.clear("B5");
      wb.recalculate();
    });
    // The recalculation cancelled B4's running call, and B3's new call before it was made (so
    // it never was). HOLDPLAIN is not cancelable: Excel never calls its onCanceled.
    expect((await fixture(page)).cancelled.sort()).toEqual([
      "Sheet1!B1",
      "Sheet1!B2",
      "Sheet1!B3",
      "Sheet1!B4",
    ]);
    // Every call still held answers now, the uncancelable one unwanted: its answer must not
    // come back into B5.
    await page.evaluate(() => window.fixture.release());
    await waitForIdle(page);
    await page.waitForFunction(() => window.fixture.inFlight === 0);
    const cells = await page.evaluate(() => window.__workbench.read("B1:B5"));
    expect(cells).toEqual([[null], ["replaced"], ["three again"], ["four"], [null]]);
    // Made: the first five, then B3's and B4's last calls; those two alone settled wanted.
    // Cancelled: B1, B2, B3 twice, B4 and B5; onCanceled ran for the four running HOLDs.
    expect(await page.evaluate(() => window.__workbench.hostStats())).toEqual({
      calls: 7,
      settled: 2,
      cancelled: 6,
      onCanceledCalls: 4,
    });
    expect(errors).toEqual([]);
    await screenshot(page, "host-fixture");
  });
});
