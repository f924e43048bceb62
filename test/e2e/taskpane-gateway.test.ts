// The pane's "Team gateway" endpoint in the workbench, driving the real gateway (src/gateway: one
// replica on a redis-server of the test's own, the emulator as its upstream): the token field's
// label, the URL rules, Check key through the gateway, the gateway's usage in place of the pane's
// own credit count and budget field, the gateway's budget refusal in a cell, and a Redis outage behind the gateway
// that the cells wait out.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { addUser } from "../gateway/support";
import { forwardMismatches, useGatewayReplica } from "./e2e-support";
import { readCells, useE2E, waitForIdle } from "./harness";
import { cellText, openPane, statusLog, typeRows } from "./pane-support";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });
const gateway = useGatewayReplica(e2e);
const { redis } = gateway;

const pane = (page: Page) => page.locator("#geobatch-pane");
const tokenField = (page: Page) =>
  pane(page).getByRole("textbox", { name: "Gateway token", exact: true });
const budgetField = (page: Page) =>
  pane(page).getByRole("textbox", { name: "Daily budget (credits, empty for none)" });
const saved = (page: Page, key: string) => page.evaluate((name) => localStorage.getItem(name), key);
const today = () => new Date().toISOString().slice(0, 10);

/** The workbench with its pane pointed at the gateway with `token`. */
function openOnGateway(token: string) {
  return openPane(e2e, {
    storage: {
      [SETTING_KEYS.apiKey]: token,
      [SETTING_KEYS.baseUrl]: gateway.replica.url,
      [SETTING_KEYS.endpointKind]: "gateway",
    },
  });
}

describe("the Team gateway endpoint", () => {
  it("relabels the key as a gateway token, checks the URL, saves the gateway and checks the token", async () => {
    const token = await addUser(redis.url, "alice", 500);
    const { page, errors } = await openPane(e2e);
    await expect.poll(() => budgetField(page).count()).toBe(1);
    await page.locator("#endpoint").selectOption("gateway");
    await expect.poll(() => tokenField(page).count()).toBe(1);
    // The gateway keeps its user's budget: the pane's own would only mislead.
    expect(await budgetField(page).count()).toBe(0);
    expect(await pane(page).getByRole("textbox", { name: "API key" }).count()).toBe(0);
    const url = pane(page).getByRole("textbox", { name: "Team gateway URL" });
    const message = page.locator("#endpoint-message");

    await url.fill("http://gateway.example.com");
    await page.locator("#save-endpoint").click();
    await expect
      .poll(() => message.textContent())
      .toBe("Use https:// (plain http is allowed only for localhost and 127.0.0.1).");
    expect(await saved(page, SETTING_KEYS.endpointKind)).toBeNull();

    await url.fill(`${gateway.replica.url}/`);
    await page.locator("#save-endpoint").click();
    await expect.poll(() => message.textContent()).toBe("Endpoint saved.");
    expect(await saved(page, SETTING_KEYS.baseUrl)).toBe(gateway.replica.url);
    expect(await saved(page, SETTING_KEYS.endpointKind)).toBe("gateway");

    await tokenField(page).fill("not-a-token-of-this-gateway");
    await page.locator("#check-key").click();
    await expect
      .poll(() => page.locator("#key-message").textContent())
      .toBe("The team gateway refused this token: ask its administrator for a new one.");
    await tokenField(page).fill(token);
    await page.locator("#check-key").click();
    await expect.poll(() => page.locator("#key-message").textContent()).toBe("The token works.");
    await expect
      .poll(() => page.locator("#credits-spent").textContent())
      .toBe(`The team gateway counts 0 of 500 credits spent today by alice (${today()}, UTC).`);
    // Checks are polls of a job id that cannot exist: nothing went upstream.
    expect(e2e.emulator.counts().submit).toBe(0);
    expect(errors).toEqual([]);

    // Back to Geoapify: the field is an API key again, and the gateway is forgotten.
    await page.locator("#endpoint").selectOption("global");
    await expect.poll(() => pane(page).getByRole("textbox", { name: "API key" }).count()).toBe(1);
    expect(await budgetField(page).count()).toBe(1);
    await page.locator("#save-endpoint").click();
    await expect.poll(() => saved(page, SETTING_KEYS.endpointKind)).toBeNull();
  });

  it("fills cells with the user's token, shows the gateway's count, and words its budget refusal", async () => {
    const token = await addUser(redis.url, "bob", 1);
    const { page, errors } = await openOnGateway(token);
    expect(await page.locator("#endpoint").inputValue()).toBe("gateway");
    await expect.poll(() => tokenField(page).inputValue()).toBe(token);
    expect(await budgetField(page).count()).toBe(0);

    const addresses = ["1 Budget Road, Springfield", "2 Budget Road, Springfield"];
    await typeRows(page, addresses);
    await waitForIdle(page);
    expect(forwardMismatches(await readCells(page, "B2:C3"), addresses)).toEqual([]);
    expect(JSON.stringify(e2e.emulator.requests)).not.toContain(token);
    await expect
      .poll(() => page.locator("#credits-spent").textContent(), { timeout: 10_000 })
      .toBe(`The team gateway counts 1 of 1 credits spent today by bob (${today()}, UTC).`);

    // A new address would take bob past his budget: refused once, at once, in the cell's words.
    const submits = e2e.emulator.counts().submit;
    await page.evaluate(() =>
      window.__workbench.setCell("D2", '=GEO.LAT("3 Budget Road, Springfield")')
    );
    await waitForIdle(page, 10_000);
    expect(await cellText(page, "D2")).toContain(
      "Your team gateway's daily budget of 1 credits is spent: ask its administrator, or " +
        "recalculate tomorrow"
    );
    expect(e2e.emulator.counts().submit).toBe(submits);
    expect(errors).toEqual([]);
  });

  it("keeps cells waiting while Redis behind the gateway is frozen, and fills them after", async () => {
    const token = await addUser(redis.url, "carol");
    const { page } = await openOnGateway(token);
    await expect.poll(() => tokenField(page).inputValue()).toBe(token);
    const addresses = ["1 Outage Avenue, Springfield", "2 Outage Avenue, Springfield"];
    redis.freeze();
    try {
      await typeRows(page, addresses);
      // The gateway answers 503 with Retry-After while Redis is frozen: the pane says so.
      await expect
        .poll(async () => (await statusLog(page)).join("\n"), { timeout: 15_000 })
        .toContain("The endpoint is unavailable (a team gateway's outage): cells keep waiting");
      expect(await cellText(page, "B2")).toBe(JSON.stringify({ busy: true }));
    } finally {
      redis.thaw();
    }
    await waitForIdle(page, 60_000);
    expect(forwardMismatches(await readCells(page, "B2:C3"), addresses)).toEqual([]);
  });
});
