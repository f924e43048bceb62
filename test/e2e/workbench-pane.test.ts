// The workbench hosts the add-in's own task pane beside its grid, in the same page and runtime
// (as Excel's shared runtime does), and the emulator's limit controls in its settings strip.

import type { Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { screenshot, useE2E, waitForIdle } from "./harness";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });

describe("the task pane beside the grid", () => {
  it("is the add-in's pane, and shares the functions' runtime", async () => {
    const { page, errors } = await e2e.openWorkbench({ sample: true, storage: e2e.settings });
    await waitForIdle(page);
    expect(e2e.emulator.counts().submit).toBe(1);

    const pane = page.locator("#geobatch-pane");
    expect(await pane.getByRole("heading", { name: "GeoBatch" }).isVisible()).toBe(true);
    // The batch the cells made reaches the pane through the runtime's one telemetry stream.
    await expect
      .poll(() => pane.locator("#batches li").allTextContents())
      .toContainEqual(expect.stringMatching(/^10 addresses in \d+ ms$/));

    // The pane clears the cache the cells use: the next recalculation geocodes again.
    await pane.getByRole("button", { name: "Clear cached results" }).click();
    await expect.poll(() => pane.locator("#status").textContent()).toBe("Cached results cleared.");
    await page.getByRole("button", { name: "Recalculate" }).click();
    await waitForIdle(page);
    const jobs = e2e.emulator.jobsSubmitted();
    expect(jobs).toHaveLength(2);
    expect(new Set(jobs[1])).toEqual(new Set(jobs[0]));

    // The key it saves is the one the cells read.
    await pane.getByLabel("API key").fill("key-from-the-pane");
    await pane.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.apiKey))
      .toBe("key-from-the-pane");
    expect(await page.evaluate(() => typeof globalThis.geobatchHost?.selectCell)).toBe("function");
    expect(errors).toEqual([]);
    await screenshot(page, "workbench-with-pane");
  });
});

describe("emulator limit controls", () => {
  it("send the modes the emulator's control endpoint takes, and show its stats", async () => {
    const posted: unknown[] = [];
    const { page } = await e2e.openWorkbench({
      storage: e2e.settings,
      // The control endpoint is another helper's work: until it is on this branch, the test
      // answers for it, with the request and answer shapes the workbench is written against.
      prepare: (context) =>
        context.route(`${e2e.emulatorUrl}/__emulator/**`, async (route) => {
          const request: Request = route.request();
          if (request.method() === "POST") {
            posted.push(request.postDataJSON());
            return route.fulfill({ status: 204 });
          }
          return route.fulfill({
            json: {
              byKind: { submit: 1, poll: 2 },
              byStatus: { "200": 1, "429": 2 },
              rejectedForRate: 2,
            },
          });
        }),
    });
    await page.getByText("Emulator limits").click();
    await expect
      .poll(() => page.locator(".emulator-stats").textContent())
      .toBe("3 requests (1 submit, 2 poll) · 2 answered 429 (2 over the rate)");

    await page.getByLabel("Rate limit").fill("5");
    await page.getByLabel("Job time").fill("3000");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => posted).toEqual([{ rateLimitPerSecond: 5, jobMs: 3000 }]);
    await page.getByLabel("Outage").fill("30");
    await page.getByRole("button", { name: "Start outage" }).click();
    await expect.poll(() => posted.length).toBe(2);
    expect(posted[1]).toEqual({ outageSeconds: 30 });
    await expect
      .poll(() => page.locator(".emulator-note").textContent())
      .toBe("Outage started: 429 for 30 s.");
    // Nothing reached the real emulator: its counts are the add-in's alone.
    expect(e2e.emulator.counts().total).toBe(0);
  });

  it("are not offered when the endpoint is not an emulator on this machine", async () => {
    const { page } = await e2e.openWorkbench({
      storage: { [SETTING_KEYS.baseUrl]: "https://api.geoapify.com" },
    });
    expect(await page.getByText("Emulator limits").count()).toBe(0);
  });
});
