// The add-in's own task pane, loaded as Excel loads it (office.js from Microsoft's CDN, answered
// here from the npm package) in a plain browser, where it must still let a user save a key.

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { BrowserContext } from "playwright-core";
import { expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { OFFICE_JS, screenshot, useE2E, waitForIdle, waitForPersisted } from "./harness";

/** Where Office loads office.js and the files office.js loads after it. */
const OFFICE_CDN = "https://appsforoffice.microsoft.com/lib/1/hosted/";

const e2e = useE2E();

/**
 * Answers Office's CDN from the npm package: office.js and the files it loads next from where it
 * came from, or office.js alone when `officeJsOnly`.
 */
function serveOfficeFromPackage(
  context: BrowserContext,
  { served = [], officeJsOnly = false }: { served?: string[]; officeJsOnly?: boolean } = {}
) {
  return context.route(`${OFFICE_CDN}**`, async (route) => {
    const url = new URL(route.request().url());
    const file = path.join(OFFICE_JS, url.pathname.slice(new URL(OFFICE_CDN).pathname.length));
    if (officeJsOnly && path.basename(file) !== "office.js") return route.abort();
    served.push(path.basename(file));
    const body = await readFile(file).catch(() => undefined);
    return body
      ? route.fulfill({ body, contentType: "text/javascript" })
      : route.fulfill({ status: 404 });
  });
}

it.each([
  ["office.js and the files it loads next", false],
  // Office.onReady never fires then: the form must not wait for it.
  ["office.js alone, its follow-up files unreachable", true],
])("saves the API key the cells use and confirms it, with %s", async (_, officeJsOnly) => {
  const served: string[] = [];
  const { page, errors } = await e2e.open("/taskpane.html", {
    prepare: (context) => serveOfficeFromPackage(context, { served, officeJsOnly }),
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

it("clears the cached results the cells would otherwise reuse", async () => {
  const { page: workbench, context } = await e2e.openWorkbench({
    storage: e2e.settings,
    sample: true,
  });
  await waitForIdle(workbench);
  // Once the results are on disk, a reload answers from the persistent cache: nothing is sent.
  await waitForPersisted(workbench, 10);
  await workbench.reload();
  await waitForIdle(workbench);
  expect(e2e.emulator.counts().submit).toBe(1);

  // The pane of the same runtime origin, as in Excel's shared runtime.
  await serveOfficeFromPackage(context);
  const pane = await context.newPage();
  await pane.goto(`${e2e.server.origin}/taskpane.html`);
  await pane.getByRole("button", { name: "Clear cached results" }).click();
  await expect.poll(() => pane.getByRole("status").textContent()).toBe("Cached results cleared.");

  await workbench.reload();
  await waitForIdle(workbench);
  const jobs = e2e.emulator.jobsSubmitted();
  expect(jobs).toHaveLength(2);
  expect(new Set(jobs[1])).toEqual(new Set(jobs[0]));
});
