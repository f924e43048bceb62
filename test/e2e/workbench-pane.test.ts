// The workbench hosts the add-in's own task pane beside its grid, in the same page and runtime
// (as Excel's shared runtime does), and the emulator's limit controls in its settings strip,
// which speak to the real emulator's control API.

import { describe, expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { screenshot, useE2E, waitForIdle } from "./harness";
import { startEmulatorProxy, statusText } from "./pane-support";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });

describe("the task pane beside the grid", () => {
  it("is the add-in's pane, and shares the functions' runtime", async () => {
    const { page, errors } = await e2e.openWorkbench({ sample: true, storage: e2e.settings });
    await waitForIdle(page);
    expect(e2e.emulator.counts().submit).toBe(1);

    const pane = page.locator("#geobatch-pane");
    expect(await pane.getByRole("heading", { name: "GeoBatch" }).isVisible()).toBe(true);
    // The cells' outcomes reach the pane through the runtime's one telemetry stream.
    await expect
      .poll(() => pane.locator("#progress-counts").textContent())
      .toBe("0 queued · 0 in flight · 10 done · 0 failed");
    await expect
      .poll(() => pane.locator("canvas.map-canvas").getAttribute("data-points"))
      .toBe("10");
    await expect.poll(() => statusText(page)).toBe("Ready.");
    // The cache line counts the answers as they are stored, without a click.
    const cacheLine = () => pane.locator("#cache-stats").textContent();
    await expect.poll(cacheLine).toMatch(/^The cache holds 10 answers \(\d/);

    // The pane clears the cache the cells use: the next recalculation geocodes again.
    await pane.locator("#clear-cache").click();
    await expect
      .poll(() => pane.locator("#sheet-message").textContent())
      .toBe("Cached results cleared.");
    await expect.poll(cacheLine).toBe("The cache holds 0 answers (0 bytes).");
    await page.getByRole("button", { name: "Recalculate" }).click();
    await waitForIdle(page);
    const jobs = e2e.emulator.jobsSubmitted();
    expect(jobs).toHaveLength(2);
    expect(new Set(jobs[1])).toEqual(new Set(jobs[0]));
    await expect.poll(cacheLine).toMatch(/^The cache holds 10 answers \(\d/);

    // The key it saves is the one the cells read.
    await pane.getByRole("textbox", { name: "API key", exact: true }).fill("key-from-the-pane");
    await pane.locator("#save-key").click();
    await expect
      .poll(() => page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.apiKey))
      .toBe("key-from-the-pane");
    expect(await page.evaluate(() => typeof globalThis.geobatchHost?.readValues)).toBe("function");
    expect(errors).toEqual([]);
    await screenshot(page, "workbench-with-pane");
  });

  it("keeps its Advanced settings, shown in the units users type", async () => {
    const { page } = await e2e.openWorkbench({ storage: e2e.settings });
    const pane = page.locator("#geobatch-pane");
    await pane.locator("fluent-accordion-item").click({ position: { x: 12, y: 12 } });
    const field = (name: string) => pane.getByRole("textbox", { name });
    await expect.poll(() => field("Job timeout (seconds)").inputValue()).toBe("120");
    await field("Batching window (ms)").fill("80");
    await field("Job timeout (seconds)").fill("90");
    await field("Keep found addresses (days)").fill("400");
    await pane.locator("#save-advanced").click();
    await expect
      .poll(() => pane.locator("#advanced-foundTtlDays-message").textContent())
      .toBe("Keep found addresses must be at most 365 days.");
    await field("Keep found addresses (days)").fill("7");
    await pane.locator("#save-advanced").click();
    await expect
      .poll(() => pane.locator("#advanced-message").textContent())
      .toBe("Advanced settings saved.");
    const saved = await page.evaluate(
      (keys) => keys.map((key) => localStorage.getItem(key)),
      [SETTING_KEYS.windowMs, SETTING_KEYS.jobTimeoutMs, SETTING_KEYS.foundTtlDays]
    );
    expect(saved).toEqual(["80", "90000", "7"]);
  });
});

describe("emulator limit controls", () => {
  it("send the modes to the emulator's control API and show its stats", async () => {
    // Through a same-origin proxy, as the dev server's /emulator: the control API has no CORS.
    const proxy = await startEmulatorProxy(e2e);
    try {
      const context = await e2e.browser.newContext();
      const storage = { ...e2e.settings, [SETTING_KEYS.baseUrl]: `${proxy.origin}/emulator` };
      await context.addInitScript((entries: Record<string, string>) => {
        if (window !== window.top) return;
        for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
      }, storage);
      const page = await context.newPage();
      await page.goto(`${proxy.origin}/workbench.html?sheet=empty`);
      await page.evaluate(() => window.__workbench.ready);
      await page.getByText("Emulator limits").click();
      await expect
        .poll(() => page.locator(".emulator-stats").textContent())
        .toBe("0 requests · 0 answered 429 (0 over the rate, 0 in an outage, 0 over the quota)");

      await page.getByLabel("Rate limit").fill("5");
      await page.getByLabel("Job time").fill("3000");
      await page.getByRole("button", { name: "Apply" }).click();
      await expect.poll(() => page.locator(".emulator-note").textContent()).toBe("Limits applied.");
      expect(e2e.emulator.modes).toMatchObject({ rateLimitPerSecond: 5, jobMs: 3000 });

      await page.getByLabel("Outage").fill("30");
      await page.getByRole("button", { name: "Start outage" }).click();
      await expect
        .poll(() => page.locator(".emulator-note").textContent())
        .toBe("Outage started: 429 for 30 s.");
      const { outageFrom, outageUntil } = e2e.emulator.modes;
      expect((outageUntil ?? 0) - (outageFrom ?? 0)).toBe(30_000);

      // A geocode during the outage shows in the stats as a 429 of the outage.
      await page.evaluate(() => window.__workbench.setCell("B2", '=GEO.LOCATION("1 Main St")'));
      await expect
        .poll(() => page.locator(".emulator-stats").textContent(), { timeout: 10_000 })
        .toMatch(
          /^\d+ requests \(\d+ submit\) · (\d+) answered 429 \(0 over the rate, \1 in an outage/
        );
      await context.close();
    } finally {
      await proxy.close();
    }
  });

  it("are not offered when the endpoint is not an emulator on this machine", async () => {
    const { page } = await e2e.openWorkbench({
      storage: { [SETTING_KEYS.baseUrl]: "https://api.geoapify.com" },
    });
    expect(await page.getByText("Emulator limits").count()).toBe(0);
  });
});
