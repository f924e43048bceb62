// GEO.REVERSE end to end (issue 11): the production functions.js in the workbench sends
// coordinates in batch reverse jobs (longitude first, rounded to 6 decimals), never one request
// per cell, and every cell shows the emulator's own answer. Coordinates out of range never leave
// the page.

import { describe, expect, it } from "vitest";
import { reverseGeocode } from "../../src/dev/emulator/gazetteer";
import { CITIES } from "../../src/dev/emulator/world";
import { answered, emulatorAddress, recordTelemetry, telemetry } from "./e2e-support";
import { readCells, useE2E, waitForIdle } from "./harness";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });

/** Six decimals, as the add-in rounds them, so what a cell asks is what the emulator answers. */
const six = (value: number) => Number(value.toFixed(6));

/**
 * `count` points scattered within about 11 km of the emulator's cities, so each has an address:
 * city i % n, shifted by up to ±0.1° each way.
 */
function pointsNearCities(count: number): Array<[lat: number, lon: number]> {
  return Array.from({ length: count }, (_, index) => {
    const city = CITIES[index % CITIES.length];
    const shift = (salt: number) => (((index * salt) % 201) - 100) / 1000;
    return [six(city.lat + shift(37)), six(city.lon + shift(53))];
  });
}

/** Every coordinate the emulator received in reverse jobs, as "lat,lon". */
function sentCoordinates(): string[] {
  return answered(e2e.emulator, ["reverse-submit"]).flatMap((request) =>
    (request.inputs ?? []).map((item) => {
      const [lon, lat] = item as [number, number];
      return `${lat},${lon}`;
    })
  );
}

async function openWorkbench() {
  return e2e.openWorkbench({ storage: e2e.settings, prepare: recordTelemetry });
}

describe("GEO.REVERSE", () => {
  it("turns 300 points into one or two batch reverse jobs and the emulator's addresses", async () => {
    const { page, errors } = await openWorkbench();
    const points = pointsNearCities(300);
    await page.evaluate((rows) => {
      const wb = window.__workbench;
      wb.setCells(
        "A2",
        rows.map(([lat, lon]) => [String(lat), String(lon)])
      );
      wb.setCells(
        "C2",
        rows.map((_, index) => [`=GEO.REVERSE(A${index + 2}, B${index + 2})`])
      );
    }, points);
    await waitForIdle(page, 60_000);

    const expected = points.map(([lat, lon]) => [emulatorAddress(lat, lon)]);
    expect(expected.every(([address]) => typeof address === "string")).toBe(true);
    expect(await readCells(page, "C2:C301")).toEqual(expected);
    const counts = e2e.emulator.stats().byKind;
    const submits = answered(e2e.emulator, ["reverse-submit"]);
    expect(submits.length).toBeGreaterThanOrEqual(1);
    expect(submits.length).toBeLessThanOrEqual(2);
    expect(counts["single-reverse"]).toBeUndefined();
    expect(counts.submit).toBeUndefined();
    // Each point went once, longitude first.
    const sent = sentCoordinates();
    expect(sent).toHaveLength(300);
    expect(new Set(sent)).toEqual(new Set(points.map(([lat, lon]) => `${lat},${lon}`)));
    const [kind] = await telemetry(page, "submitted");
    expect(kind).toMatchObject({ kind: "reverse" });
    expect(errors).toEqual([]);
  });

  it("rounds to six decimals before anything else: one input for two spellings of a point", async () => {
    const { page } = await openWorkbench();
    await page.evaluate(() =>
      window.__workbench.setCells("A2", [
        ["=GEO.REVERSE(51.50136731, -0.14187912)"],
        ["=GEO.REVERSE(51.5013673, -0.1418791)"],
        ["=GEO.REVERSE(51.501367, -0.141879)"],
      ])
    );
    await waitForIdle(page);

    const address = emulatorAddress(51.501367, -0.141879);
    expect(address).toMatch(/Buckingham Palace/);
    expect(await readCells(page, "A2:A4")).toEqual([[address], [address], [address]]);
    expect(answered(e2e.emulator, ["reverse-submit"]).map((request) => request.inputs)).toEqual([
      [[-0.141879, 51.501367]],
    ]);
  });

  it("is #VALUE! for bad coordinates, and never sends them", async () => {
    const { page } = await openWorkbench();
    await page.evaluate(() => {
      const wb = window.__workbench;
      wb.setCells("A2", [["north"]]);
      wb.setCells("B2", [
        ["=GEO.REVERSE(200, 20)"],
        ["=GEO.REVERSE(20, 200)"],
        ["=GEO.REVERSE(-90.5, 0)"],
        ["=GEO.REVERSE(A2, 20)"],
        ["=GEO.REVERSE(A9, 20)"],
        // A good point beside them: the only coordinate that may leave the page.
        ["=GEO.REVERSE(48.8583, 2.2945)"],
      ]);
    });
    await waitForIdle(page);

    expect(await readCells(page, "B2:B7")).toEqual([
      [{ error: "#VALUE!", message: "The latitude 200 is outside -90 to 90" }],
      [{ error: "#VALUE!", message: "The longitude 200 is outside -180 to 180" }],
      [{ error: "#VALUE!", message: "The latitude -90.5 is outside -90 to 90" }],
      [{ error: "#VALUE!", message: 'The latitude "north" is not a number' }],
      [{ error: "#VALUE!", message: "The latitude is blank" }],
      [emulatorAddress(48.8583, 2.2945)],
    ]);
    expect(sentCoordinates()).toEqual(["48.8583,2.2945"]);
    const sentNumbers = sentCoordinates().flatMap((pair) => pair.split(",").map(Number));
    expect(sentNumbers).not.toContain(200);
    expect(answered(e2e.emulator, ["single-reverse"])).toEqual([]);
  });

  it("answers fields, #N/A at sea, and a job per language", async () => {
    const { page } = await openWorkbench();
    const [lat, lon] = [51.5, -0.14];
    await page.evaluate(
      ([pointLat, pointLon]) => {
        const wb = window.__workbench;
        wb.setCells("A2", [
          [`=GEO.REVERSE(${pointLat}, ${pointLon}, "name, distance, category, confidence, city")`],
          // The middle of the Atlantic: nothing within 50 km.
          ["=GEO.REVERSE(0, -30)"],
          [`=GEO.REVERSE(${pointLat}, ${pointLon}, "country", "de")`],
          [`=GEO.REVERSE(${pointLat}, ${pointLon}, "country")`],
        ]);
      },
      [lat, lon]
    );
    await waitForIdle(page);

    const english = reverseGeocode(lon, lat);
    const german = reverseGeocode(lon, lat, { lang: "de" });
    expect(await readCells(page, "A2:E5")).toEqual([
      // Reverse results have no confidence: the cell is empty and the row keeps its shape.
      [english.name, english.distance, english.category, "", english.city],
      [{ error: "#N/A", message: "No address found near 0, -30" }, null, null, null, null],
      [german.country, null, null, null, null],
      [english.country, null, null, null, null],
    ]);
    expect(german.country).not.toBe(english.country);
    expect(english.distance).toBeGreaterThan(0);
    // One job per option set: the German lookup goes alone, with lang=de.
    const submits = answered(e2e.emulator, ["reverse-submit"]);
    expect(submits.map((request) => request.options?.lang ?? "")).toEqual(
      expect.arrayContaining(["", "de"])
    );
    expect(submits).toHaveLength(2);
    const germanJob = submits.find((request) => request.options?.lang === "de");
    expect(germanJob?.inputs).toEqual([[lon, lat]]);
  });
});
