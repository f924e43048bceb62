// GEO.PLACE and GEO.DETAILS end to end (issue 11), with the production functions.js in the
// workbench: a place is an entity whose card opens with its properties and attribution, whose
// fields read as =E2.Latitude, and which shares one geocode with LAT, LON and DETAILS of the same
// address and options. Every expected value is the emulator's own answer.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { geocode } from "../../src/dev/emulator/gazetteer";
import { answered, gridCell } from "./e2e-support";
import { readCells, useE2E, waitForIdle } from "./harness";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });

const PALACE = "Buckingham Palace, London";
const TOWER = "Tour Eiffel Champ de Mars Paris";

interface EntitySnapshot {
  type: string;
  text: string;
  properties: Record<string, { type: string; basicValue: unknown }>;
}

async function openWorkbench(): Promise<Page> {
  return (await e2e.openWorkbench({ storage: e2e.settings })).page;
}

/** The result's own data source credit (`datasource.attribution`). */
function attributionOf(address: string): string | undefined {
  return (geocode(address).datasource as { attribution?: string } | undefined)?.attribution;
}

/** The entity properties the emulator's answer for `address` should give. */
function expectedProperties(address: string) {
  const result = geocode(address);
  const double = (value: unknown) => ({ type: "Double", basicValue: value });
  const text = (value: unknown) => ({ type: "String", basicValue: value });
  return {
    Latitude: double(result.lat),
    Longitude: double(result.lon),
    Address: text(result.formatted),
    Confidence: double(result.rank?.confidence),
    "Match type": text(result.rank?.match_type),
    "Result type": text(result.result_type),
    Postcode: text(result.postcode),
    City: text(result.city),
    Country: text(result.country),
    "Country code": text(result.country_code),
    "Time zone": text((result.timezone as { name?: string } | undefined)?.name),
  };
}

describe("GEO.PLACE", () => {
  it("is an entity sharing one geocode with GEO.LAT and GEO.LON; =E2.Latitude reads it", async () => {
    const page = await openWorkbench();
    await page.evaluate((address) => {
      const wb = window.__workbench;
      wb.setCell("A2", address);
      // The workbench's sheet is eight columns wide (A:H).
      wb.setCells("B2", [["=GEO.LAT(A2)", "=GEO.LON(A2)", "=E2.[Match type]"]]);
      wb.setCell("E2", "=GEO.PLACE(A2)");
      wb.setCells("F2", [["=E2.Latitude", "=E2.Longitude"]]);
    }, PALACE);
    await waitForIdle(page);

    const [[entity]] = (await readCells(page, "E2")) as unknown as EntitySnapshot[][];
    expect(entity).toMatchObject({
      type: "Entity",
      text: geocode(PALACE).formatted,
      properties: expectedProperties(PALACE),
    });
    const [[lat, lon, matchType, , dotLat, dotLon]] = await readCells(page, "B2:G2");
    expect(entity.properties.Latitude.basicValue).toBe(lat);
    expect(entity.properties.Longitude.basicValue).toBe(lon);
    expect([dotLat, dotLon, matchType]).toEqual([lat, lon, "full_match"]);
    expect(typeof entity.properties.Confidence.basicValue).toBe("number");
    // One geocode: one job holding the address once, for PLACE, LAT and LON together.
    expect(e2e.emulator.jobsSubmitted()).toEqual([[PALACE]]);

    // E2 follows A2, and the field references follow E2.
    await page.evaluate((address) => window.__workbench.setCell("A2", address), TOWER);
    await waitForIdle(page);
    const tower = geocode(TOWER);
    expect(await readCells(page, "F2:G2")).toEqual([[tower.lat, tower.lon]]);
    expect(e2e.emulator.jobsSubmitted()).toEqual([[PALACE], [TOWER]]);
  });

  it("opens a card with its properties and the result's own attribution", async () => {
    const page = await openWorkbench();
    await page.evaluate(
      (address) => window.__workbench.setCell("E2", `=GEO.PLACE("${address}")`),
      PALACE
    );
    await waitForIdle(page);
    const result = geocode(PALACE);
    const cell = gridCell(page, 1, 4);
    await expect.poll(() => cell.textContent()).toBe(result.formatted);
    expect(await cell.getAttribute("class")).toMatch(/\bcell-entity\b/);

    await cell.click();
    const card = page.locator(".card-panel");
    await expect.poll(() => card.isVisible()).toBe(true);
    expect(await card.locator("h2").textContent()).toBe(result.address_line1);
    expect(await card.locator("section h3").allTextContents()).toEqual([
      "Location",
      "Address",
      "Match quality",
    ]);
    const names = await card.locator("dt").allTextContents();
    expect(names).toEqual(expect.arrayContaining(["Latitude", "Longitude", "Confidence", "City"]));
    const values = await card.locator("dd").allTextContents();
    expect(values[names.indexOf("Latitude")]).toBe(String(result.lat));
    expect(values[names.indexOf("Confidence")]).toBe(String(result.rank?.confidence));
    const attribution = attributionOf(PALACE);
    expect(attribution).toBeTruthy();
    expect(await card.locator(".card-provider").textContent()).toBe(
      `Data: Geoapify · ${attribution}`
    );
  });

  it("is #N/A for an unknown address, and so are its fields", async () => {
    const page = await openWorkbench();
    await page.evaluate(() => {
      const wb = window.__workbench;
      wb.setCell("E2", '=GEO.PLACE("Atlantis Nowhere")');
      wb.setCell("F2", "=E2.Latitude");
    });
    await waitForIdle(page);
    const notFound = { error: "#N/A", message: 'No match for "Atlantis Nowhere"' };
    expect(await readCells(page, "E2:F2")).toEqual([[notFound, notFound]]);
    expect(e2e.emulator.jobsSubmitted()).toEqual([["Atlantis Nowhere"]]);
  });
});

describe("GEO.DETAILS and options", () => {
  it("answers the fields asked, in order, from the same geocode as GEO.PLACE", async () => {
    const page = await openWorkbench();
    await page.evaluate((address) => {
      const wb = window.__workbench;
      wb.setCell("A2", address);
      wb.setCell("B2", '=GEO.DETAILS(A2, "city, postcode; Country_Code, confidence, match_type")');
      wb.setCell("B3", "=GEO.DETAILS(A2)");
      wb.setCell("B4", "=GEO.PLACE(A2)");
      wb.setCell("B5", '=GEO.DETAILS(A2, "city, elevation")');
    }, PALACE);
    await waitForIdle(page);

    const result = geocode(PALACE);
    const { confidence, match_type: matchType } = result.rank ?? {};
    expect(await readCells(page, "B2:F3")).toEqual([
      [result.city, result.postcode, result.country_code, confidence, matchType],
      [result.formatted, result.lat, result.lon, confidence, matchType],
    ]);
    expect(await readCells(page, "B5")).toEqual([
      [{ error: "#VALUE!", message: expect.stringMatching(/^Unknown field "elevation": use lat/) }],
    ]);
    expect(e2e.emulator.jobsSubmitted()).toEqual([[PALACE]]);
  });

  it("sends a job per option set; bad options are #VALUE! and never sent", async () => {
    const page = await openWorkbench();
    await page.evaluate((address) => {
      const wb = window.__workbench;
      wb.setCell("A2", address);
      wb.setCells("B2", [
        ["=GEO.LAT(A2)"],
        ['=GEO.LAT(A2, "gb")'],
        // The same option set as B3, written differently: one lookup, one job.
        ['=GEO.DETAILS(A2, "country", "GB")'],
        ['=GEO.PLACE(A2, "fr")'],
        ['=GEO.LAT(A2, , "de")'],
        ['=GEO.PLACE(A2, "gbr")'],
        ['=GEO.LAT(A2, , "klingon")'],
      ]);
    }, PALACE);
    await waitForIdle(page);

    const result = geocode(PALACE);
    const german = geocode(PALACE, { lang: "de" });
    expect(await readCells(page, "B2:B8")).toEqual([
      [result.lat],
      [result.lat],
      [result.country],
      [{ error: "#N/A", message: `No match for "${PALACE}" in FR` }],
      [german.lat],
      [{ error: "#VALUE!", message: expect.stringMatching(/"gbr" is not an ISO country code/) }],
      [{ error: "#VALUE!", message: expect.stringMatching(/"klingon" is not a language/) }],
    ]);
    const submits = answered(e2e.emulator, ["submit"]);
    const optionSets = submits.map((request) => JSON.stringify(request.options ?? {})).sort();
    expect(optionSets).toEqual(
      [{}, { filter: "countrycode:fr" }, { filter: "countrycode:gb" }, { lang: "de" }]
        .map((options) => JSON.stringify(options))
        .sort()
    );
    for (const submit of submits) expect(submit.inputs).toEqual([PALACE]);
  });
});
