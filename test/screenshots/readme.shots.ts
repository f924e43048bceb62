// The README's pictures of the pane, from one realistic run: the workbench's sample sheet and two
// addresses that find nothing geocoded, then the whole sheet recalculated for 0 credits (every
// answer from the cache). The workbench beside its pane, then the pane alone in Office's light
// theme and in dark (the workbench follows the system's scheme, as Office's "Use system setting"
// does). Run by `npm run screenshots`, not by `npm test`: people look at these, tests do not.

import path from "node:path";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { ROOT, useE2E, waitForIdle } from "../e2e/harness";
import { geocodedRun, paneSettled, SCENE_CELLS } from "../e2e/pane-scenes";

const SHOTS = path.join(ROOT, "assets/screenshots");
const VIEWPORT = { width: 1400, height: 900 };

// A job that takes a moment, as Geoapify's do, so the chart has waits and durations to show.
const e2e = useE2E({ emulator: { latencyMs: 30, jobBaseMs: 600, jobPerAddressMs: 2 } });

/** Scrolls the pane so that `selector` is at its top. */
function scrollPaneTo(page: Page, selector: string) {
  return page.locator("#geobatch-pane").evaluate((pane, target) => {
    const element = pane.querySelector(target);
    if (!element) throw new Error(`No ${target} in the pane`);
    pane.scrollTop += element.getBoundingClientRect().top - pane.getBoundingClientRect().top - 8;
  }, selector);
}

/** The whole pane on its own: the page made just tall enough to show all of it. */
async function shootPane(page: Page, theme: "light" | "dark") {
  const pane = page.locator("#geobatch-pane");
  const needed = await pane.evaluate((element) => {
    element.scrollTop = 0;
    // The pane's top, its content, and the workspace's bottom padding.
    return Math.ceil(element.getBoundingClientRect().top + element.scrollHeight + 14);
  });
  await page.setViewportSize({ width: VIEWPORT.width, height: needed });
  await pane.screenshot({ path: path.join(SHOTS, `pane-${theme}.png`), animations: "disabled" });
  await page.setViewportSize(VIEWPORT);
}

it("shows a sheet geocoded, then recalculated for 0 credits, in light and in dark", async () => {
  const { page, errors } = await geocodedRun(e2e);
  const answers = SCENE_CELLS.done + SCENE_CELLS.failed;
  const credits = () => page.locator("#credits-spent").textContent();
  await expect.poll(credits).toMatch(/^6 credits spent today/);
  const submitted = e2e.emulator.counts().submit;

  await page.getByRole("button", { name: "Recalculate" }).click();
  await waitForIdle(page);
  await paneSettled(page, answers);
  expect(e2e.emulator.counts().submit).toBe(submitted);
  await expect.poll(credits).toMatch(/^6 credits spent today/);

  // No hover or focus left on the Recalculate button in the picture.
  await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height - 100);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  // The workbench with the pane at its credits, progress and failed cells.
  await scrollPaneTo(page, "#credits");
  await page.screenshot({ path: path.join(SHOTS, "workbench-with-pane.png") });
  await shootPane(page, "light");
  await page.emulateMedia({ colorScheme: "dark" });
  await expect.poll(() => page.locator("#geobatch-pane").getAttribute("data-theme")).toBe("dark");
  await shootPane(page, "dark");
  expect(errors).toEqual([]);
});
