// The pane's Connection section in the workbench, against the real emulator: the key check (a
// poll of a job id that cannot exist: no credit spent), saving a key retries the cells that
// wanted one, the endpoint choice with its validation, and where the key may travel.

import type { Page, Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { useE2E, waitForIdle } from "./harness";
import { openPane, statusText, typeRows } from "./pane-support";

const REFUSED_KEY = "refused-key";
const e2e = useE2E({
  emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05, invalidKeys: [REFUSED_KEY] },
});

const keyField = (page: Page) =>
  page.locator("#geobatch-pane").getByRole("textbox", { name: "API key", exact: true });

/** Every request the page sent that carried `secret` anywhere in its URL, headers or body. */
function requestsCarrying(page: Page, secret: string): Request[] {
  const carrying: Request[] = [];
  page.on("request", (request) => {
    const text = request.url() + JSON.stringify(request.headers()) + (request.postData() ?? "");
    if (text.includes(secret)) carrying.push(request);
  });
  return carrying;
}

describe("Check key", () => {
  it("says a good key works and a refused one is rejected, without spending a credit", async () => {
    const { page, errors } = await openPane(e2e, {
      storage: { [SETTING_KEYS.baseUrl]: e2e.emulatorUrl },
    });
    await expect.poll(() => statusText(page)).toBe("No API key is saved: cells cannot geocode.");

    const sent = requestsCarrying(page, e2e.emulatorUrl);
    const refused = requestsCarrying(page, REFUSED_KEY);
    await keyField(page).fill(REFUSED_KEY);
    await page.locator("#check-key").click();
    await expect
      .poll(() => page.locator("#key-message").textContent())
      .toBe("Geoapify rejected this key: copy it again from myprojects.geoapify.com.");
    await expect.poll(() => statusText(page)).toBe("Geoapify rejected the API key.");
    expect(await page.locator("#status-action").textContent()).toBe("Enter API key");

    await keyField(page).fill("good-key");
    await page.locator("#check-key").click();
    await expect.poll(() => page.locator("#key-message").textContent()).toBe("The key works.");
    await expect.poll(() => statusText(page)).toBe("Ready.");

    // Each check is one poll of a job id that cannot exist (32 hex digits): no job, no credit.
    const polls = e2e.emulator.requests.filter((request) => request.kind === "poll");
    expect(polls).toHaveLength(2);
    expect(sent.map((request) => new URL(request.url()).searchParams.get("id"))).toEqual([
      expect.stringMatching(/^[0-9a-f]{32}$/),
      expect.stringMatching(/^[0-9a-f]{32}$/),
    ]);
    expect(e2e.emulator.counts().submit).toBe(0);
    // The key went to the configured endpoint only.
    expect(refused.length).toBeGreaterThan(0);
    for (const request of refused)
      expect(request.url()).toMatch(new RegExp(`^${e2e.emulatorUrl}/`));
    expect(errors).toEqual([]);
  });

  it("saving a key recalculates just the cells that failed for want of one", async () => {
    const { page } = await openPane(e2e, { storage: { [SETTING_KEYS.baseUrl]: e2e.emulatorUrl } });
    await typeRows(page, ["1 Main Street Springfield", "2 Main Street Springfield"]);
    await page.evaluate(() => window.__workbench.setCell("C2", "=GEO.LAT(42)"));
    await waitForIdle(page);
    expect(JSON.stringify(await page.evaluate(() => window.__workbench.read("B2:B3")))).toContain(
      "Set your Geoapify API key in the GeoBatch pane"
    );
    await expect.poll(() => page.locator("#failed-list li").count()).toBe(3);

    await keyField(page).fill("good-key");
    await page.locator("#save-key").click();
    await expect
      .poll(() => page.locator("#key-message").textContent())
      .toBe("Key saved. Recalculating 2 cells that needed it.");
    await waitForIdle(page);
    expect(e2e.emulator.jobsSubmitted()).toHaveLength(1);
    await expect.poll(() => page.locator("#failed-list li").count()).toBe(1);
    expect(await page.locator("#failed-list li").getAttribute("data-cell")).toBe("Sheet1!C2");
  });
});

describe("the endpoint", () => {
  it("refuses what is not HTTPS (loopback aside) before anything is sent to it", async () => {
    const { page } = await openPane(e2e, { storage: e2e.settings });
    const leaked = requestsCarrying(page, "geo.example.com");
    await page.locator("#endpoint").selectOption("custom");
    const url = page.getByRole("textbox", { name: "Custom endpoint URL" });
    const message = page.locator("#endpoint-message");
    for (const [text, expected] of [
      [
        "http://geo.example.com",
        "Use https:// (plain http is allowed only for localhost and 127.0.0.1).",
      ],
      ["geo.example.com", "This is not a URL: it should look like https://geo.example.com."],
      ["https://me:pw@geo.example.com", "Leave the user name and password out of the URL."],
      ["https://geo.example.com/?apiKey=1", "Leave ? and # parts out: GeoBatch adds its own."],
    ]) {
      await url.fill(text);
      await page.locator("#save-endpoint").click();
      await expect.poll(() => message.textContent()).toBe(expected);
      expect(await page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.baseUrl)).toBe(
        e2e.emulatorUrl
      );
    }
    expect(leaked).toEqual([]);

    await url.fill("https://geo.example.com/geoapify/");
    await page.locator("#save-endpoint").click();
    await expect.poll(() => message.textContent()).toBe("Endpoint saved.");
    expect(await page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.baseUrl)).toBe(
      "https://geo.example.com/geoapify"
    );
  });

  it("saves Geoapify's EU endpoint, then the global one as the default", async () => {
    const { page } = await openPane(e2e, { storage: e2e.settings });
    const saved = () => page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.baseUrl);
    await page.locator("#endpoint").selectOption("eu");
    await page.locator("#save-endpoint").click();
    await expect.poll(saved).toBe("https://api-eu.geoapify.com");
    await page.locator("#endpoint").selectOption("global");
    await page.locator("#save-endpoint").click();
    await expect.poll(saved).toBeNull();
  });

  it("shows the saved custom endpoint and the plan's rate, and validates the rate", async () => {
    const { page } = await openPane(e2e, { storage: e2e.settings });
    expect(await page.locator("#endpoint").inputValue()).toBe("custom");
    await expect
      .poll(() => page.getByRole("textbox", { name: "Custom endpoint URL" }).inputValue())
      .toBe(e2e.emulatorUrl);
    const rate = page.getByRole("textbox", { name: "Plan's requests per second" });
    await expect.poll(() => rate.inputValue()).toBe("5");
    await rate.fill("0");
    await page.locator("#save-rate").click();
    await expect
      .poll(() => page.locator("#rate-message").textContent())
      .toBe("Requests per second must be at least 1 per second.");
    await rate.fill("12");
    await page.locator("#save-rate").click();
    await expect.poll(() => page.locator("#rate-message").textContent()).toBe("Rate saved.");
    expect(
      await page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.ratePerSecond)
    ).toBe("12");
  });
});
