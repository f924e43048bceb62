// The add-in's own task pane, loaded as Excel loads it (office.js from Microsoft's CDN, answered
// here from the npm package) in a plain browser, where it must still let a user save a key.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { OFFICE_JS, screenshot, useE2E } from "./harness";

/** Where Office loads office.js and the files office.js loads after it. */
const OFFICE_CDN = "https://appsforoffice.microsoft.com/lib/1/hosted/";

const e2e = useE2E();

it.each([
  ["office.js and the files it loads next", false],
  // Office.onReady never fires then: the form must not wait for it.
  ["office.js alone, its follow-up files unreachable", true],
])("saves the API key the cells use and confirms it, with %s", async (_, officeJsOnly) => {
  const served: string[] = [];
  const { page, errors } = await e2e.open("/taskpane.html", {
    prepare: (context) =>
      // office.js loads further files from where it came from; they come from the npm package.
      context.route(`${OFFICE_CDN}**`, async (route) => {
        const url = new URL(route.request().url());
        const file = path.join(OFFICE_JS, url.pathname.slice(new URL(OFFICE_CDN).pathname.length));
        if (officeJsOnly && path.basename(file) !== "office.js") return route.abort();
        served.push(path.basename(file));
        const body = await readFile(file).catch(() => undefined);
        return body
          ? route.fulfill({ body, contentType: "text/javascript" })
          : route.fulfill({ status: 404 });
      }),
  });
  expect(served).toContain("office.js");

  const keyField = page.getByLabel("API key");
  const save = page.getByRole("button", { name: "Save" });
  await expect.poll(() => keyField.isVisible()).toBe(true);
  expect(await save.isVisible()).toBe(true);
  expect(await page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.apiKey)).toBeNull();

  await keyField.fill("  key-from-the-pane  ");
  await save.click();
  await expect
    .poll(() => page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.apiKey))
    .toBe("key-from-the-pane");
  await expect.poll(() => page.getByRole("status").textContent()).toMatch(/^Saved/);
  if (!officeJsOnly) {
    expect(errors).toEqual([]);
    await screenshot(page, "taskpane-saved");
  }
});
