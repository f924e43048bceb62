// The scenes the pane's accessibility tests and the README's screenshots share: the workbench's
// sample sheet geocoded, with two addresses that find nothing, so the pane shows everything it
// can — failed cells, points on the map, batches in the chart, credits and the cache.

import type { Page } from "playwright-core";
import { expect } from "vitest";
import { waitForIdle, type E2E, type OpenedPage } from "./harness";
import { openPane, statusText } from "./pane-support";

/** Addresses the emulator finds nothing for (no digit, no known place). */
export const UNFOUND_ADDRESSES = ["Atlantis beneath the waves", "Nowhere in particular"];

/** The sample's ten found cells and the two unfound. */
export const SCENE_CELLS = { done: 10, failed: 2 };

/**
 * The workbench in `theme`, its sample sheet and two unfound addresses geocoded; resolves once
 * the pane shows the run's outcome, its map and its cache line.
 */
export async function geocodedRun(e2e: E2E, theme?: "light" | "dark"): Promise<OpenedPage> {
  const opened = await openPane(e2e, { sample: true, storage: e2e.settings, theme });
  const { page } = opened;
  await page.evaluate((addresses) => {
    const first = 12;
    window.__workbench.setCells(
      `A${first}`,
      addresses.map((address) => [address])
    );
    window.__workbench.setCells(
      `B${first}`,
      addresses.map((_, index) => [`=GEO.LOCATION(A${first + index})`])
    );
  }, UNFOUND_ADDRESSES);
  await waitForIdle(page);
  await paneSettled(page, SCENE_CELLS.done + SCENE_CELLS.failed);
  return opened;
}

/** Waits until the pane shows the run's counts, its map, a cache line of `answers` and its status. */
export async function paneSettled(page: Page, answers: number): Promise<void> {
  const pane = page.locator("#geobatch-pane");
  const { done, failed } = SCENE_CELLS;
  await expect
    .poll(() => pane.locator("#progress-counts").textContent())
    .toBe(`0 queued · 0 in flight · ${done} done · ${failed} failed`);
  await expect
    .poll(() => pane.locator("canvas.map-canvas").getAttribute("data-points"))
    .toBe(String(done));
  await expect
    .poll(() => pane.locator("#cache-stats").textContent())
    .toMatch(new RegExp(`^The cache holds ${answers} answers \\(`));
  // The status line offers to retry them (its action is a stop of the keyboard walk).
  await expect
    .poll(() => statusText(page))
    .toBe(`Finished: ${failed} cells failed (listed below).`);
  await expect.poll(() => pane.locator("#status-action").isVisible()).toBe(true);
}

/** Opens the Advanced section (an accordion), so every section of the pane is on screen. */
export async function openAdvanced(page: Page): Promise<void> {
  const item = page.locator("#geobatch-pane fluent-accordion-item");
  await item.click({ position: { x: 12, y: 12 } });
  await expect.poll(() => item.evaluate((element) => element.hasAttribute("expanded"))).toBe(true);
}
