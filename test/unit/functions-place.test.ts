// GEO.PLACE: the matched place as an Excel entity value (a card), sharing the forward lookup of
// the other functions, with a text fallback for hosts that cannot show entities.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Place } from "../../src/places/place";
import {
  CellError,
  GeocoderDouble,
  installCustomFunctionsStandIn,
  installOfficeHost,
  invocation,
  PLACES,
  search,
} from "./custom-functions-stand-in";
import { mockRuntimeGeocoder } from "./support/runtime-mock";

const runtime = mockRuntimeGeocoder();

installCustomFunctionsStandIn();
const { place, lat, lon } = await import("../../src/functions/functions");

const palace = PLACES.buckingham;
/** A place with few parts, from another data source. */
const sparse: Place = {
  lat: -33.8567844,
  lon: 151.213108,
  formatted: "Sydney Opera House, Sydney NSW 2000, Australia",
  confidence: 0.8,
  attribution: "© OpenAddresses contributors",
};

let geocoder: GeocoderDouble;
let host: ReturnType<typeof installOfficeHost> | undefined;
beforeEach(() => {
  geocoder = new GeocoderDouble()
    .answer(search("Buckingham Palace, London"), palace)
    .answer(search("Buckingham Palace, London", { country: "gb", language: "en" }), palace)
    .answer(search("Sydney Opera House"), sparse);
  runtime.geocoder = geocoder;
});
afterEach(() => {
  host?.uninstall();
  host = undefined;
});

async function entity(address: string): Promise<Excel.EntityCellValue> {
  const value = await place(address, null, null, invocation());
  expect(typeof value).toBe("object");
  return value as Excel.EntityCellValue;
}

describe("PLACE", () => {
  it("answers an entity whose text is the formatted address", async () => {
    const value = await entity("Buckingham Palace, London");
    expect(value.type).toBe("Entity");
    expect(value.text).toBe(palace.formatted);
  });

  it("carries every part as a named property, numbers as Double and the rest as String", async () => {
    const { properties } = await entity("Buckingham Palace, London");
    expect(properties).toEqual({
      Latitude: { type: "Double", basicValue: palace.lat },
      Longitude: { type: "Double", basicValue: palace.lon },
      Address: { type: "String", basicValue: palace.formatted },
      Confidence: { type: "Double", basicValue: 1 },
      "Match type": { type: "String", basicValue: "full_match" },
      "Result type": { type: "String", basicValue: "amenity" },
      Street: { type: "String", basicValue: "Spur Road" },
      Postcode: { type: "String", basicValue: "SW1A 1AA" },
      City: { type: "String", basicValue: "London" },
      County: { type: "String", basicValue: "Greater London" },
      State: { type: "String", basicValue: "England" },
      Country: { type: "String", basicValue: "United Kingdom" },
      "Country code": { type: "String", basicValue: "gb" },
      "Time zone": { type: "String", basicValue: "Europe/London" },
      "Plus code": { type: "String", basicValue: "9C3XFVCR+FP" },
    });
    // The palace has no house number: the property is left out, not shown empty.
    expect(properties).not.toHaveProperty("House number");
  });

  it("lays out a card titled with the first address line, in sections of present properties", async () => {
    const { layouts } = await entity("Buckingham Palace, London");
    expect(layouts?.card?.title).toBe("Buckingham Palace");
    expect(layouts?.card?.sections).toEqual([
      {
        layout: "List",
        title: "Location",
        properties: ["Latitude", "Longitude", "Time zone", "Plus code"],
      },
      {
        layout: "List",
        title: "Address",
        properties: [
          "Address",
          "Street",
          "Postcode",
          "City",
          "County",
          "State",
          "Country",
          "Country code",
        ],
      },
      {
        layout: "List",
        title: "Match quality",
        properties: ["Confidence", "Match type", "Result type"],
      },
    ]);
  });

  it("credits Geoapify and the place's own data source", async () => {
    expect((await entity("Buckingham Palace, London")).provider?.description).toBe(
      "Geoapify · © OpenStreetMap contributors"
    );
    expect((await entity("Sydney Opera House")).provider?.description).toBe(
      "Geoapify · © OpenAddresses contributors"
    );
  });

  it("leaves out missing parts and empty sections, and titles a card without a first line by its address", async () => {
    const value = await entity("Sydney Opera House");
    expect(Object.keys(value.properties ?? {})).toEqual([
      "Latitude",
      "Longitude",
      "Address",
      "Confidence",
    ]);
    expect(value.layouts?.card?.title).toBe(sparse.formatted);
    expect(value.layouts?.card?.sections?.map((s) => s.title)).toEqual([
      "Location",
      "Address",
      "Match quality",
    ]);
    expect(value.layouts?.card?.sections?.[0].properties).toEqual(["Latitude", "Longitude"]);
  });

  it("shares one lookup with LAT and LON, whose values match its properties", async () => {
    const value = (await place(
      "Buckingham Palace, London",
      "GB",
      "EN",
      invocation()
    )) as Excel.EntityCellValue;
    const latitude = await lat("buckingham palace, london", "gb", "en", invocation());
    const longitude = await lon("Buckingham Palace, London", [["gb"]], "en", invocation());
    expect(value.properties?.Latitude).toMatchObject({ basicValue: latitude });
    expect(value.properties?.Longitude).toMatchObject({ basicValue: longitude });
    expect(new Set(geocoder.keys()).size).toBe(1);
  });

  it("falls back to the formatted address where the host lacks CustomFunctionsRuntime 1.4", async () => {
    host = installOfficeHost(false);
    expect(await place("Buckingham Palace, London", null, null, invocation())).toBe(
      palace.formatted
    );
    expect(host.asked).toEqual([["CustomFunctionsRuntime", "1.4"]]);
  });

  it("answers the entity where office.js runs without a host to ask (a plain browser)", async () => {
    // In a plain browser office.js defines Office but leaves Office.context undefined.
    Object.assign(globalThis, { Office: {} });
    try {
      expect(await entity("Buckingham Palace, London")).toMatchObject({ type: "Entity" });
    } finally {
      delete (globalThis as { Office?: unknown }).Office;
    }
  });

  it("answers the entity where the host has CustomFunctionsRuntime 1.4", async () => {
    host = installOfficeHost(true);
    expect(await entity("Buckingham Palace, London")).toMatchObject({ type: "Entity" });
  });

  it("gives #N/A when not found and #VALUE! for bad options, looking nothing up", async () => {
    const missing = await place("Atlantis", null, null, invocation()).catch((e: CellError) => e);
    expect(missing).toMatchObject({ code: "#N/A", message: 'No match for "Atlantis"' });
    const bad = await place("Atlantis", "zz", null, invocation()).catch((e: CellError) => e);
    expect(bad).toMatchObject({ code: "#VALUE!", message: expect.stringContaining('"zz"') });
    expect(geocoder.requests).toHaveLength(1);
  });
});
