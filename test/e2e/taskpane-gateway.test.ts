// The pane's "Team gateway" endpoint in the workbench, against a loopback gateway double that
// speaks the shared contracts (test/e2e/gateway-double.ts) in front of the real emulator: the
// token field's label, the URL rules, Check key through the gateway, the gateway's usage in place
// of the pane's own credit count, cells filled through the gateway with the user's token (which
// never reaches the emulator), and the gateway's budget refusal in a cell.

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { startGatewayDouble, type GatewayDouble } from "./gateway-double";
import { useE2E, waitForIdle } from "./harness";
import { cellText, openPane, typeRows } from "./pane-support";

const TOKEN = "gw-token-alice-e2e";
const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });
let gateway: GatewayDouble;

beforeAll(async () => {
  gateway = await startGatewayDouble(e2e.emulatorUrl, e2e.server.origin);
  gateway.tokens.set(TOKEN, "alice");
});
afterAll(() => gateway.close());

const pane = (page: Page) => page.locator("#geobatch-pane");
const saved = (page: Page, key: string) => page.evaluate((name) => localStorage.getItem(name), key);

describe("the Team gateway endpoint", () => {
  it("relabels the key as a gateway token, checks the URL, and saves the gateway", async () => {
    const { page, errors } = await openPane(e2e);
    await expect.poll(() => pane(page).getByRole("textbox", { name: "API key" }).count()).toBe(1);
    await page.locator("#endpoint").selectOption("gateway");
    const token = pane(page).getByRole("textbox", { name: "Gateway token", exact: true });
    await expect.poll(() => token.count()).toBe(1);
    expect(await pane(page).getByRole("textbox", { name: "API key" }).count()).toBe(0);
    const url = pane(page).getByRole("textbox", { name: "Team gateway URL" });
    const message = page.locator("#endpoint-message");

    await url.fill("http://gateway.example.com");
    await page.locator("#save-endpoint").click();
    await expect
      .poll(() => message.textContent())
      .toBe("Use https:// (plain http is allowed only for localhost and 127.0.0.1).");
    expect(await saved(page, SETTING_KEYS.endpointKind)).toBeNull();

    await url.fill(`${gateway.origin}/`);
    await page.locator("#save-endpoint").click();
    await expect.poll(() => message.textContent()).toBe("Endpoint saved.");
    expect(await saved(page, SETTING_KEYS.baseUrl)).toBe(gateway.origin);
    expect(await saved(page, SETTING_KEYS.endpointKind)).toBe("gateway");

    await token.fill("gw-token-unknown");
    await page.locator("#check-key").click();
    await expect
      .poll(() => page.locator("#key-message").textContent())
      .toBe("The team gateway refused this token: ask its administrator for a new one.");
    await token.fill(TOKEN);
    await page.locator("#check-key").click();
    await expect.poll(() => page.locator("#key-message").textContent()).toBe("The token works.");
    expect(errors).toEqual([]);

    // Back to Geoapify: the field is an API key again, and the gateway is forgotten.
    await page.locator("#endpoint").selectOption("global");
    await expect.poll(() => pane(page).getByRole("textbox", { name: "API key" }).count()).toBe(1);
    await page.locator("#save-endpoint").click();
    await expect.poll(() => saved(page, SETTING_KEYS.endpointKind)).toBeNull();
  });

  it("fills cells through the gateway and shows its usage; its budget refusal reaches the cell", async () => {
    gateway.budgetSpent = false;
    gateway.requests.length = 0;
    const { page, errors } = await openPane(e2e, {
      storage: {
        [SETTING_KEYS.apiKey]: TOKEN,
        [SETTING_KEYS.baseUrl]: gateway.origin,
        [SETTING_KEYS.endpointKind]: "gateway",
      },
    });
    expect(await page.locator("#endpoint").inputValue()).toBe("gateway");
    const token = pane(page).getByRole("textbox", { name: "Gateway token", exact: true });
    await expect.poll(() => token.inputValue()).toBe(TOKEN);
    const day = new Date().toISOString().slice(0, 10);
    await expect
      .poll(() => page.locator("#credits-spent").textContent())
      .toBe(`The team gateway counts 12.5 of 500 credits spent today by alice (${day}, UTC).`);

    await typeRows(page, ["1 Main Street Springfield", "2 Main Street Springfield"], "GEO.LAT");
    await waitForIdle(page);
    const filled = [await cellText(page, "B2"), await cellText(page, "B3")];
    for (const cell of filled) expect(cell).toMatch(/^-?\d+(\.\d+)?$/);
    expect(gateway.requests.some((request) => request.method === "POST")).toBe(true);
    for (const request of gateway.requests) expect(request.token).toBe(TOKEN);
    // The emulator (Geoapify, behind the gateway) never saw the user's token.
    expect(e2e.emulator.requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(e2e.emulator.requests)).not.toContain(TOKEN);

    gateway.budgetSpent = true;
    gateway.creditsToday = 500;
    await page.evaluate(() =>
      window.__workbench.setCell("C2", '=GEO.LAT("9 Elm Street Springfield")')
    );
    await waitForIdle(page);
    expect(await cellText(page, "C2")).toContain(
      "Your team gateway's daily budget of 500 credits is spent: ask its administrator, or " +
        "recalculate tomorrow"
    );
    // Refused once, at once: no retry of the refusal.
    const refusals = gateway.requests.filter((request) => request.method === "POST");
    expect(refusals.length).toBe(2);
    expect(errors).toEqual([]);
  });
});
