// The quota path end to end (issue 9): Geoapify answers every request 429 "Quota exceeded", as
// when the day's credits are spent. The client concludes "quota" only after 429s persist for
// quotaAfterMs (a minute) and then probes every five minutes, so this test shortens those
// thresholds through the dev-only hook in src/runtime/runtime.ts. That hook exists only in a
// development build (the one `npm start` serves), so this file builds one, serves it in place of
// dist/, and checks that the production bundle carries no trace of it.

import { readFileSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildDevAddin,
  devAddinDirectory,
  emulatorAddress,
  forwardMismatches,
  recordTelemetry,
  removeDirectory,
  telemetry,
  typeColumn,
} from "./e2e-support";
import { DIST, readCells, useE2E, waitForIdle } from "./harness";

/** The global the dev build reads (src/runtime/runtime.ts). */
const HOOK = "__geobatchClientThresholds";

/** Seconds of Geoapify time instead of minutes; backoff starts at 400 ms instead of 1 s. */
const THRESHOLDS = {
  quotaAfterMs: 2_000,
  probeIntervalMs: 1_500,
  maxProbeIntervalMs: 3_000,
  retryBaseDelayMs: 400,
};

/** What a cell waiting through a spent quota says (src/functions/messages.ts, "quota"). */
const QUOTA_MESSAGE = /rate limit or daily quota/;

/** The bound on requests while 429s persist. */
const MAX_REQUESTS = 20;

const devAddin = devAddinDirectory();
const e2e = useE2E({ addinRoot: devAddin, emulator: { latencyMs: 5, jobBaseMs: 100 } });
beforeAll(() => buildDevAddin(devAddin), 180_000);
afterAll(() => removeDirectory(devAddin));

const addresses = Array.from({ length: 20 }, (_, index) => `${index + 1} Quota Lane, Leeds, GB`);
/** Points near well-known places, so that each has an address once the quota is back. */
const POINTS: Array<[lat: number, lon: number]> = [
  [51.5014, -0.1419],
  [48.8583, 2.2945],
  [40.6892, -74.0445],
];

async function openWithShortThresholds(): Promise<Page> {
  const { page } = await e2e.openWorkbench({
    storage: e2e.settings,
    prepare: async (context: BrowserContext) => {
      await recordTelemetry(context);
      await context.addInitScript(
        ({ name, thresholds }) => {
          (globalThis as Record<string, unknown>)[name] = thresholds;
        },
        { name: HOOK, thresholds: THRESHOLDS }
      );
    },
  });
  return page;
}

/** Forward lookups in B:C and reverse lookups in E, one edit. */
async function typeSheet(page: Page): Promise<void> {
  await typeColumn(page, addresses, (row) => `=GEO.LOCATION(A${row})`);
  await page.evaluate(
    (points) =>
      window.__workbench.setCells(
        "E2",
        points.map(([lat, lon]) => [`=GEO.REVERSE(${lat}, ${lon})`])
      ),
    POINTS
  );
}

const apiRequests = () => e2e.emulator.requests.filter((request) => request.method !== "OPTIONS");

describe("a persistent 429", () => {
  it("settles every waiting cell with the quota message after few requests, then resumes", async () => {
    e2e.emulator.set({ quotaExhausted: true });
    const page = await openWithShortThresholds();
    await typeSheet(page);
    await waitForIdle(page, 60_000);

    const waiting = [...(await readCells(page, "B2:B21")), ...(await readCells(page, "E2:E4"))];
    for (const [cell] of waiting) {
      expect(cell).toEqual({ error: "#N/A", message: expect.stringMatching(QUOTA_MESSAGE) });
    }
    const duringQuota = apiRequests().length;
    expect(duringQuota).toBeGreaterThanOrEqual(2);
    expect(duringQuota).toBeLessThanOrEqual(MAX_REQUESTS);
    expect(e2e.emulator.stats().rejected.quota).toBe(duringQuota);
    expect(await telemetry(page, "quota-suspected")).toHaveLength(1);
    // Nothing was accepted, so nothing was paid for.
    expect(e2e.emulator.jobsSubmitted()).toEqual([]);

    // While the quota lasts a recalculation fails at once, or sends the one probe that is due.
    await page.evaluate(() => window.__workbench.recalculate());
    await waitForIdle(page, 30_000);
    expect(await readCells(page, "B2")).toEqual([
      [{ error: "#N/A", message: expect.stringMatching(QUOTA_MESSAGE) }],
    ]);
    expect(apiRequests().length).toBeLessThanOrEqual(duringQuota + 1);

    // The day turns: the next probe succeeds and everything resumes. Recalculating until then
    // is what a user would do; each try before the probe is due costs no request.
    e2e.emulator.set({ quotaExhausted: false });
    await expect
      .poll(
        async () => {
          await page.evaluate(() => window.__workbench.recalculate());
          await waitForIdle(page, 30_000);
          return forwardMismatches(await readCells(page, "B2:C21"), addresses).length;
        },
        { timeout: 30_000, interval: 500 }
      )
      .toBe(0);
    expect(await telemetry(page, "resumed")).toHaveLength(1);
    expect(await readCells(page, "E2:E4")).toEqual(
      POINTS.map(([lat, lon]) => [emulatorAddress(lat, lon)])
    );
    expect(new Set(e2e.emulator.jobsSubmitted().flat())).toEqual(new Set(addresses));
    expect(apiRequests().length).toBeLessThanOrEqual(duringQuota + 1 + MAX_REQUESTS);
  });
});

describe("the dev-only thresholds hook", () => {
  it("is in the development build and compiled out of the production bundle", () => {
    const production = readFileSync(path.join(DIST, "functions.js"), "utf8");
    const development = readFileSync(path.join(devAddin, "functions.js"), "utf8");
    expect(development).toContain(HOOK);
    expect(production).not.toContain(HOOK);
  });
});
