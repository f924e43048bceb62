// The pane's status line and progress through real runs in the workbench, against the real
// emulator switched into its rate-limit and outage modes through its control API; and the
// budget: cells beyond it say so, and nothing more is sent.

import { describe, expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { screenshot, useE2E, waitForIdle } from "./harness";
import { emulatorStats, openPane, setModes, statusLog, statusText, typeRows } from "./pane-support";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });

const ADDRESSES = Array.from({ length: 10 }, (_, i) => `${i + 1} Main Street Springfield`);

describe("the status line through a run", () => {
  it("says ready, then working with the cells and jobs, then ready with the counts", async () => {
    await setModes(e2e, { jobMs: 2_500 });
    const { page, errors } = await openPane(e2e, { storage: e2e.settings });
    expect(await statusText(page)).toBe("Ready.");
    await typeRows(page, ADDRESSES);
    await expect
      .poll(() => statusText(page))
      .toMatch(/^Working: 0 of 10 cells, 1 job in flight \(oldest \d+ s\)\.$/);
    await screenshot(page, "pane-working");
    await waitForIdle(page);
    await expect.poll(() => statusText(page)).toBe("Ready.");
    expect(await page.locator("#progress-counts").textContent()).toBe(
      "0 queued · 0 in flight · 10 done · 0 failed"
    );
    expect(errors).toEqual([]);
  });

  it("waits out the emulator's rate limit, counting down, and finishes", async () => {
    // One request per second at the emulator, five at GeoBatch: its polls draw 429s.
    await setModes(e2e, { rateLimitPerSecond: 1, retryAfterSeconds: 3, jobMs: 1_500 });
    const { page } = await openPane(e2e, { storage: e2e.settings });
    await typeRows(page, ADDRESSES);
    await expect
      .poll(() => statusText(page), { timeout: 20_000 })
      .toMatch(/^Waiting for Geoapify's rate limit: retrying in [1-3] s\.$/);
    await screenshot(page, "pane-rate-limited");
    await waitForIdle(page, 60_000);
    await expect.poll(() => statusText(page)).toBe("Ready.");
    expect((await emulatorStats(e2e)).rejected.rate).toBeGreaterThan(0);
    const log = await statusLog(page);
    const first = (pattern: RegExp) => log.findIndex((line) => pattern.test(line));
    expect(first(/^Working/)).toBeGreaterThanOrEqual(0);
    expect(first(/^Waiting for Geoapify's rate limit/)).toBeGreaterThan(first(/^Working/));
    expect(log[log.length - 1]).toBe("Ready.");
    expect(
      (await page.evaluate(() => window.__workbench.read("B2:B11"))).flat()
    ).not.toContainEqual(expect.objectContaining({ error: expect.any(String) }));
  });

  it("waits through an outage and resumes by itself", async () => {
    const { page } = await openPane(e2e, { storage: e2e.settings });
    // Started once the page is up: the outage counts from now on the emulator's clock.
    await setModes(e2e, { outageSeconds: 4, retryAfterSeconds: 2 });
    await typeRows(page, ADDRESSES);
    await expect
      .poll(() => statusText(page), { timeout: 20_000 })
      .toMatch(/^Waiting for Geoapify's rate limit/);
    await waitForIdle(page, 60_000);
    await expect.poll(() => statusText(page)).toBe("Ready.");
    const stats = await emulatorStats(e2e);
    expect(stats.rejected.outage).toBeGreaterThan(0);
    // The job was refused during the outage and accepted once, after it.
    expect(stats.byKind.submit?.["429"]).toBeGreaterThan(0);
    expect(e2e.emulator.jobsSubmitted()).toHaveLength(1);
    expect(await page.locator("#progress-counts").textContent()).toBe(
      "0 queued · 0 in flight · 10 done · 0 failed"
    );
  });
});

describe("a 2,000-row sheet at 5 requests per second", () => {
  it("shows progress, the credits, every point on the map and the failed rows", async () => {
    await setModes(e2e, { rateLimitPerSecond: 5, jobMs: 1_500 });
    const { page } = await openPane(e2e, { storage: e2e.settings });
    // Every hundredth row names no place the emulator knows: 20 failures.
    const rows = Array.from({ length: 2_000 }, (_, i) =>
      i % 100 === 99 ? `Nowhere land ${"x".repeat(i % 7)}` : `${i + 1} Harbour Road`
    );
    await typeRows(page, rows);
    // Queued lookups are counted per address (the batcher reports no per-cell queue): "of 1989"
    // while duplicates of a queued address wait with it.
    await expect.poll(() => statusText(page)).toMatch(/^Working: \d+ of 19\d\d cells/);
    await waitForIdle(page, 90_000);
    await expect
      .poll(() => page.locator("#progress-counts").textContent())
      .toBe("0 queued · 0 in flight · 1980 done · 20 failed");
    await expect
      .poll(() => page.locator("#geobatch-pane canvas.map-canvas").getAttribute("data-points"))
      .toBe("1980");
    await expect.poll(() => page.locator("#failed-list li").count()).toBe(20);
    // 1,987 distinct addresses (the failing rows repeat seven texts) at half a credit each.
    expect(await page.locator("#credits-spent").textContent()).toMatch(
      /^993\.5 credits spent today/
    );
    await expect.poll(() => statusText(page)).toBe("Finished: 20 cells failed (listed below).");
    expect((await emulatorStats(e2e)).rejected.rate).toBe(0);
  });
});

describe("credits and the budget", () => {
  it("stops at the budget: the cells beyond it say so, and nothing more is sent", async () => {
    const { page } = await openPane(e2e, { storage: e2e.settings });
    // Two credits buy four batch addresses at half a credit each.
    await page.getByRole("textbox", { name: "Daily budget (credits, empty for none)" }).fill("2");
    await page.locator("#save-budget").click();
    await expect.poll(() => page.locator("#budget-message").textContent()).toBe("Budget saved.");
    expect(
      await page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.dailyBudgetCredits)
    ).toBe("2");

    await typeRows(page, ADDRESSES);
    await waitForIdle(page);
    expect(e2e.emulator.jobsSubmitted().map((job) => job.length)).toEqual([4]);
    const cells = (await page.evaluate(() => window.__workbench.read("B2:B11"))).flat();
    const refused = cells.filter((cell) =>
      JSON.stringify(cell).includes("Today's budget of 2 credits is spent")
    );
    expect(refused).toHaveLength(6);
    await expect.poll(() => statusText(page)).toBe("Today's budget of 2 credits is reached.");
    expect(await page.locator("#credits-spent").textContent()).toMatch(
      /^2 credits spent today \(\d{4}-\d\d-\d\d, UTC\)\.$/
    );
    expect(await page.locator("#credits-per-cell").textContent()).toBe(
      "One call per cell would have cost 4 credits for the 4 cells geocoded this session."
    );

    // Recalculating asks again, and is refused again without a request.
    const before = (await emulatorStats(e2e)).total;
    await page.getByRole("button", { name: "Recalculate" }).click();
    await waitForIdle(page);
    expect((await emulatorStats(e2e)).total).toBe(before);
    await expect.poll(() => page.locator("#failed-list li").count()).toBe(6);
  });
});
