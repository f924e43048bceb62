// DETAILS as Excel calls it: field selection from text, ranges, rows and columns, numbers as
// numbers, one field as a single value, unknown and reverse-only fields refused before anything
// is looked up; against a geocoder double in place of the runtime's.

import { beforeEach, describe, expect, it } from "vitest";
import { FORWARD_FIELDS } from "../../src/places/place";
import {
  cellError,
  collectTelemetry,
  forwardGeocoderDouble,
  GeocoderDouble,
  installCustomFunctionsStandIn,
  invocation,
  PLACES,
} from "./custom-functions-stand-in";
import { mockRuntimeGeocoder } from "./support/runtime-mock";

const runtime = mockRuntimeGeocoder();

installCustomFunctionsStandIn();
const telemetry = collectTelemetry();
const functions = await import("../../src/functions/functions");
const { lat } = functions;
// A matrix parameter receives whatever Excel has: null when omitted, a bare value from some hosts.
const details = functions.details as (
  address: unknown,
  fields: unknown,
  ...rest: [unknown, unknown, CustomFunctions.CancelableInvocation]
) => Promise<unknown[][]>;

let geocoder: GeocoderDouble;
beforeEach(() => {
  geocoder = forwardGeocoderDouble();
  runtime.geocoder = geocoder;
  telemetry.length = 0;
});

describe("DETAILS", () => {
  const palace = PLACES.buckingham;

  it("answers formatted, lat, lon, confidence and match_type by default, as one row", async () => {
    for (const omitted of [null, "", [[null]], " ; "]) {
      expect(await details("Buckingham Palace, London", omitted, null, null, invocation())).toEqual(
        [[palace.formatted, palace.lat, palace.lon, palace.confidence, palace.match_type]]
      );
    }
  });

  it("answers the fields asked for, in order, numbers as numbers and missing parts empty", async () => {
    const row = await details(
      "Buckingham Palace, London",
      "City, postcode;country_code, confidence, match_type, housenumber, lat, city",
      null,
      null,
      invocation()
    );
    expect(row).toEqual([["London", "SW1A 1AA", "gb", 1, "full_match", "", palace.lat, "London"]]);
  });

  it("reads field names from a range, a row or a column", async () => {
    const asRow = await details(
      "Buckingham Palace, London",
      [["city", "postcode"]],
      null,
      null,
      invocation()
    );
    const asColumn = await details(
      "Buckingham Palace, London",
      [["city"], ["POSTCODE"]],
      null,
      null,
      invocation()
    );
    expect(asRow).toEqual([["London", "SW1A 1AA"]]);
    expect(asColumn).toEqual(asRow);
  });

  it("answers one field as a single value, so it works inside a Table", async () => {
    const value = await details(
      "Buckingham Palace, London",
      [["timezone"]],
      null,
      null,
      invocation()
    );
    expect(value).toEqual([["Europe/London"]]);
  });

  it("answers every documented field", async () => {
    const row = await details(
      "Buckingham Palace, London",
      FORWARD_FIELDS.join(","),
      null,
      null,
      invocation()
    );
    expect(row[0]).toHaveLength(24);
    expect(row[0][FORWARD_FIELDS.indexOf("place_id")]).toBe(palace.place_id);
  });

  it("shares the lookup of LAT for the same address and options", async () => {
    await details("Buckingham Palace, London", "city", "GB", null, invocation());
    await lat("buckingham palace,  london", "gb", null, invocation());
    expect(new Set(geocoder.keys()).size).toBe(1);
  });

  it("names an unknown field, lists the valid ones, and looks nothing up", async () => {
    const error = await cellError(
      details("Buckingham Palace, London", "city, shoe_size", null, null, invocation())
    );
    expect(error.code).toBe("#VALUE!");
    expect(error.message).toContain('"shoe_size"');
    expect(error.message).toContain(FORWARD_FIELDS.join(", "));
    expect(geocoder.requests).toEqual([]);
  });

  it("refuses the reverse-only fields", async () => {
    const error = await cellError(
      details("Buckingham Palace, London", "distance", null, null, invocation())
    );
    expect(error.message).toContain('"distance"');
    expect(geocoder.requests).toEqual([]);
  });

  it("gives #N/A naming the address when Geoapify finds nothing", async () => {
    const error = await cellError(details("Atlantis Nowhere", null, null, null, invocation()));
    expect([error.code, error.message]).toEqual(["#N/A", 'No match for "Atlantis Nowhere"']);
  });
});
