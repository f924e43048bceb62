// The add-in's own task pane, loaded as Excel loads it (office.js from Microsoft's CDN, answered
// here from the npm package) in a plain browser: Fluent components render, the key and endpoint
// forms validate, and synthetic telemetry drives the failed-cell list and the map.

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { fitProjection } from "../../src/taskpane/map-geometry";
import { OFFICE_JS, screenshot, useE2E } from "./harness";

/** Where Office loads office.js and the files office.js loads after it. */
const OFFICE_CDN = "https://appsforoffice.microsoft.com/lib/1/hosted/";
const REFUSED_KEY = "refused-key";

const e2e = useE2E({ emulator: { invalidKeys: [REFUSED_KEY] } });

function serveOfficeFromPackage(context: BrowserContext) {
  return context.route(`${OFFICE_CDN}**`, async (route) => {
    const url = new URL(route.request().url());
    const file = path.join(OFFICE_JS, url.pathname.slice(new URL(OFFICE_CDN).pathname.length));
    const body = await readFile(file).catch(() => undefined);
    return body
      ? route.fulfill({ body, contentType: "text/javascript" })
      : route.fulfill({ status: 404 });
  });
}

/** The pane with a stub host adapter that records what the pane asked of it. */
async function openPane(
  storage: Record<string, string> = {}
): Promise<{ page: Page; errors: string[] }> {
  const opened = await e2e.open("/taskpane.html", {
    storage,
    prepare: async (context) => {
      await serveOfficeFromPackage(context);
      await context.addInitScript(() => {
        const calls: Array<[string, unknown]> = [];
        Object.assign(window, {
          hostCalls: calls,
          geobatchHost: {
            selectCell: async (address: string) => void calls.push(["selectCell", address]),
            recalculate: async (addresses: string[]) => void calls.push(["recalculate", addresses]),
            selectedAddresses: async () => ["Sheet1!B2:B3"],
            readFormulas: async (addresses: string[]) => addresses.map(() => ""),
            readValues: async () => [[null]],
            writeValues: async () => undefined,
          },
        });
      });
    },
  });
  await opened.page.locator("fluent-button#save-key").waitFor();
  return opened;
}

function telemetry(page: Page, events: object[]) {
  return page.evaluate((details) => {
    for (const detail of details) {
      window.dispatchEvent(new CustomEvent("geobatch:telemetry", { detail }));
    }
  }, events);
}

it("renders Fluent components with a masked key that can be shown, and saves the key", async () => {
  const { page, errors } = await openPane();
  // Upgraded custom elements: Fluent's classes are defined and attached a shadow root.
  expect(
    await page.evaluate(() =>
      ["fluent-button", "fluent-text-input", "fluent-dialog", "fluent-accordion"].map(
        (name) => customElements.get(name) !== undefined
      )
    )
  ).toEqual([true, true, true, true]);
  const keyField = page.getByRole("textbox", { name: "API key", exact: true });
  await keyField.fill("  key-from-the-pane  ");
  expect(await keyField.getAttribute("type")).toBe("password");
  // Fluent reflects the type to its inner input on its next update: polled.
  await page.locator("#toggle-key").click();
  await expect.poll(() => keyField.getAttribute("type")).toBe("text");
  expect(await page.locator("#toggle-key").textContent()).toBe("Hide key");
  await page.locator("#toggle-key").click();
  await expect.poll(() => keyField.getAttribute("type")).toBe("password");

  await page.locator("#save-key").click();
  await expect
    .poll(() => page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.apiKey))
    .toBe("key-from-the-pane");
  await expect.poll(() => page.locator("#key-message").textContent()).toMatch(/^Key saved/);
  expect(errors).toEqual([]);
});

it("explains what is wrong with a custom endpoint before saving anything", async () => {
  const { page } = await openPane();
  await page.locator("#endpoint").selectOption("custom");
  const url = page.getByRole("textbox", { name: "Custom endpoint URL" });
  const message = page.locator("#endpoint-message");
  for (const [text, expected] of [
    ["http://geo.example.com", /Use https:\/\//],
    ["geo.example.com", /not a URL/],
    ["https://me:pw@geo.example.com", /user name and password/],
  ]) {
    await url.fill(text as string);
    await page.locator("#save-endpoint").click();
    await expect.poll(() => message.textContent()).toMatch(expected);
  }
  expect(await page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.baseUrl)).toBeNull();
});

it("validates the budget and the advanced settings with clear messages", async () => {
  const { page } = await openPane();
  await page.getByRole("textbox", { name: "Daily budget (credits, empty for none)" }).fill("none");
  await page.locator("#save-budget").click();
  await expect
    .poll(() => page.locator("#budget-message").textContent())
    .toBe("Daily budget must be a number.");
  await page.getByRole("textbox", { name: "Daily budget (credits, empty for none)" }).fill("500");
  await page.locator("#save-budget").click();
  await expect
    .poll(() => page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.dailyBudgetCredits))
    .toBe("500");

  // The heading is the item's own (shadow) button, at its top.
  await page.locator("fluent-accordion-item").click({ position: { x: 12, y: 12 } });
  await page.getByRole("textbox", { name: "Job timeout (seconds)" }).fill("0.5");
  await page.locator("#save-advanced").click();
  await expect
    .poll(() => page.locator("#advanced-jobTimeoutMs-message").textContent())
    .toBe("Job timeout must be at least 1 second.");
});

it("checks a key against the emulator: a refused key shows rejected, a good one works", async () => {
  const { page } = await openPane({ [SETTING_KEYS.baseUrl]: e2e.emulatorUrl });
  const keyField = page.getByRole("textbox", { name: "API key", exact: true });
  await keyField.fill(REFUSED_KEY);
  await page.locator("#check-key").click();
  await expect.poll(() => page.locator("#key-message").textContent()).toMatch(/rejected/);
  await expect.poll(() => page.locator("#status-text").textContent()).toMatch(/rejected/);
  await keyField.fill("good-key");
  await page.locator("#check-key").click();
  await expect.poll(() => page.locator("#key-message").textContent()).toBe("The key works.");
});

it("lists failed cells as text, selects one through the host, and retries them", async () => {
  const { page, errors } = await openPane();
  const hostile = `<img src=x onerror="window.pwned=1">`;
  await telemetry(page, [
    {
      type: "cell",
      cell: "Sheet1!B2",
      fn: "GEO.LOCATION",
      input: hostile,
      ok: false,
      message: "Not found",
    },
    {
      type: "cell",
      cell: "Sheet1!B3",
      fn: "GEO.LOCATION",
      input: "Nowhere",
      ok: false,
      message: "<b>x</b>",
    },
    {
      type: "cell",
      cell: "Sheet1!B4",
      fn: "GEO.LOCATION",
      input: "Paris",
      ok: true,
      lat: 48.8,
      lon: 2.3,
    },
  ]);
  const items = page.locator("#failed-list li");
  await expect.poll(() => items.count()).toBe(2);
  expect(await items.first().locator(".failed-input").textContent()).toBe(hostile);
  expect(await page.locator("#failed-list img, #failed-list b").count()).toBe(0);
  expect(await page.evaluate(() => "pwned" in window)).toBe(false);

  // Fluent buttons take their role through ElementInternals, which Playwright's role queries do
  // not read: found by their accessible name instead.
  await page.locator('[aria-label="Select Sheet1!B3"]').click();
  await page.locator("#retry-failed").click();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { hostCalls: unknown[] }).hostCalls))
    .toEqual([
      ["selectCell", "Sheet1!B3"],
      ["recalculate", ["Sheet1!B2", "Sheet1!B3"]],
    ]);
  expect(await page.locator("#progress-counts").textContent()).toBe(
    "0 queued · 0 in flight · 1 done · 2 failed"
  );
  expect(errors).toEqual([]);
});

it("draws one point per geocoded cell on the map, lazily loaded, with a text tooltip", async () => {
  const { page } = await openPane();
  const canvas = page.locator("canvas.map-canvas");
  await canvas.waitFor();
  const count = 500;
  await telemetry(
    page,
    Array.from({ length: count }, (_, i) => ({
      type: "cell",
      cell: `Sheet1!B${i + 2}`,
      fn: "GEO.LOCATION",
      input: i === 0 ? "<script>alert(1)</script>" : `Address ${i}`,
      ok: true,
      lat: -60 + (i % 120),
      lon: -170 + ((i * 7) % 340),
      confidence: (i % 10) / 10,
      formatted: `Formatted ${i}`,
      matchType: "full_match",
    }))
  );
  await expect.poll(() => canvas.getAttribute("data-points")).toBe(String(count));
  // The text alternative says what the map shows: how many, where, how sure.
  expect(await canvas.getAttribute("aria-label")).toMatch(
    /^World map with 500 geocoded cells: \d+ (in|outside) [^.]+\. Confidence: 50 high, 200 medium, 250 low\.$/
  );

  // Hover the first point: the same projection, fitted to the canvas's size, says where it is.
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box) throw new Error("The map canvas has no box");
  const [x, y] = fitProjection(box.width, box.height)([-170, -60]) ?? [0, 0];
  await page.mouse.move(box.x + x, box.y + y);
  const tooltip = page.locator(".map-tooltip");
  await expect.poll(() => tooltip.isVisible()).toBe(true);
  expect(await tooltip.locator(".map-tooltip-input").textContent()).toBe(
    "Sheet1!B2: <script>alert(1)</script>"
  );
  expect(await tooltip.locator("script").count()).toBe(0);
  expect(await tooltip.locator(".map-tooltip-match").textContent()).toBe("Formatted 0");
  await screenshot(page, "taskpane-map");
});
