// The pane for everyone: after a run that left failed cells, a map and a chart on screen, with
// every section open, axe-core finds no serious or critical violation and Chromium's
// accessibility tree shows every control with its role and a name — in Office's light and dark
// themes (the workbench stands in for the host), in a plain browser that prefers dark, and in
// forced colours. One page load per theme carries all of its checks.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { auditTree, axeFindings, type TreeEntry } from "./a11y-support";
import { useE2E } from "./harness";
import { geocodedRun, openAdvanced, SCENE_CELLS } from "./pane-scenes";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });

const PANE = "#geobatch-pane";

function named(entries: TreeEntry[], role: string): string[] {
  return entries.filter((entry) => entry.role === role).map((entry) => entry.name);
}

/** The pane's background and text colours as rendered. */
function paneColours(page: Page) {
  return page.locator(PANE).evaluate((pane) => {
    const style = getComputedStyle(pane);
    return { theme: pane.dataset.theme, background: style.backgroundColor, text: style.color };
  });
}

describe.each(["light", "dark"] as const)("in Office's %s theme", (theme) => {
  it("is axe-clean and every control is named in Chromium's tree", async () => {
    const { page, context, errors } = await geocodedRun(e2e, theme);
    await openAdvanced(page);

    expect(await paneColours(page)).toEqual(
      theme === "dark"
        ? { theme, background: "rgb(41, 41, 41)", text: "rgb(255, 255, 255)" }
        : { theme, background: "rgb(255, 255, 255)", text: "rgb(36, 36, 36)" }
    );
    expect(await axeFindings(page, PANE)).toEqual([]);

    const { entries, problems } = await auditTree(context, page, "geobatch-pane");
    expect(problems).toEqual([]);
    // The checks above ran over the real pane: its controls are all there.
    expect(named(entries, "button")).toEqual(
      expect.arrayContaining([
        "Save key",
        "Check key",
        "Retry failed",
        "Advanced",
        "Select Sheet1!B12",
      ])
    );
    expect(named(entries, "textbox")).toEqual(
      expect.arrayContaining(["API key", "Daily budget (credits, empty for none)"])
    );
    expect(named(entries, "progressbar")).toEqual(["Cells settled"]);
    expect(named(entries, "status")).toContain("GeoBatch status");
    // The pictures say what they show: how many points, where; which batches.
    const [chart, map] = named(entries, "image");
    expect(chart).toMatch(/^The last (batch|\d+ batches): size, wait and outcome\. Batch 1: /);
    expect(map).toMatch(
      new RegExp(
        `^World map with ${SCENE_CELLS.done} geocoded cells: \\d+ in United States of America, ` +
          `\\d+ in United Kingdom, .*1 in Australia.*\\. Confidence: ${SCENE_CELLS.done} high\\.$`
      )
    );

    // The freeze dialog (B2, a GEO formula, is selected) in the same theme, drawn in the top layer.
    await page.locator("#freeze").click();
    await expect.poll(() => page.locator("#freeze-confirm").isVisible()).toBe(true);
    expect(await axeFindings(page, "#freeze-dialog")).toEqual([]);
    await page.keyboard.press("Escape");
    expect(errors).toEqual([]);
  });
});

/** A run told to the pane as the runtime's telemetry tells it: two batches, one partly failed. */
const STANDALONE_RUN = [
  { type: "dispatched", batchId: 1, size: 3, meanWaitMs: 40, queued: 0 },
  { type: "settled", batchId: 1, size: 3, durationMs: 900, fulfilled: 2, rejected: 1 },
  { type: "dispatched", batchId: 2, size: 1, meanWaitMs: 30, queued: 0 },
  { type: "settled", batchId: 2, size: 1, durationMs: 700, fulfilled: 1, rejected: 0 },
  ...[
    ["Sheet1!B2", "Tour Eiffel Paris", 48.8584, 2.2945, 1],
    ["Sheet1!B3", "Buckingham Palace London", 51.5014, -0.1419, 0.95],
    ["Sheet1!B4", "1 Main St Springfield", 39.8, -89.64, 0.5],
  ].map(([cell, input, lat, lon, confidence]) => ({
    type: "cell",
    cell,
    fn: "LOCATION",
    input,
    ok: true,
    lat,
    lon,
    confidence,
    formatted: input,
  })),
  {
    type: "cell",
    cell: "Sheet1!B5",
    fn: "LOCATION",
    input: "Atlantis",
    ok: false,
    message: "No match",
  },
];

it("alone in a plain browser: axe-clean light, in the system's dark scheme, and in forced colours", async () => {
  // No Office here: office.js from Microsoft's CDN does not load (only loopback resolves).
  const { page, context } = await e2e.open("/taskpane.html", { storage: e2e.settings });
  await page.locator("fluent-button#save-key").waitFor();
  await page.locator("canvas.map-canvas").waitFor();
  await page.evaluate((events) => {
    for (const detail of events) {
      window.dispatchEvent(new CustomEvent("geobatch:telemetry", { detail }));
    }
  }, STANDALONE_RUN);
  await expect.poll(() => page.locator("canvas.map-canvas").getAttribute("data-points")).toBe("3");
  await expect.poll(() => page.locator("canvas.batch-chart").getAttribute("data-bars")).toBe("2");
  await page.locator("fluent-accordion-item").click({ position: { x: 12, y: 12 } });
  expect((await paneColours(page)).theme).toBe("light");
  expect(await axeFindings(page, PANE)).toEqual([]);
  const { entries, problems } = await auditTree(context, page, "geobatch-pane");
  expect(problems).toEqual([]);
  expect(named(entries, "image")).toEqual([
    expect.stringMatching(/^The last 2 batches: .* 900 ms, partial\. Batch 2: .* 700 ms, ok\.$/),
    "World map with 3 geocoded cells: 1 in France, 1 in United Kingdom, " +
      "1 in United States of America. Confidence: 2 high, 1 medium.",
  ]);

  await page.emulateMedia({ colorScheme: "dark" });
  await expect.poll(async () => (await paneColours(page)).theme).toBe("dark");
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
    "rgb(41, 41, 41)"
  );
  expect(await axeFindings(page, PANE)).toEqual([]);

  // Windows high contrast: the system's colours, and the structure still drawn.
  await page.emulateMedia({ colorScheme: "dark", forcedColors: "active" });
  const borders = await page.evaluate(() => {
    const width = (selector: string) =>
      getComputedStyle(document.querySelector(selector) as Element).borderTopWidth;
    return { status: width("#status"), endpoint: width("#endpoint"), map: width(".map-canvas") };
  });
  expect(borders).toEqual({ status: "1px", endpoint: "1px", map: "1px" });
  // Focus stays visible: the native select's outline.
  await page.locator("#endpoint").focus();
  expect(await page.locator("#endpoint").evaluate((el) => getComputedStyle(el).outlineStyle)).toBe(
    "solid"
  );
  expect(await axeFindings(page, PANE)).toEqual([]);
});
