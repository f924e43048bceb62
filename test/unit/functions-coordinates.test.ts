// GEO.REVERSE and GEO.DISTANCE, the functions that take coordinates, as Excel calls them, against
// a geocoder double in place of the runtime's.

import { beforeEach, describe, expect, it } from "vitest";
import type { Lookup } from "../../src/places/lookup";
import { REVERSE_FIELDS, type Place } from "../../src/places/place";
import {
  cellError,
  GeocoderDouble,
  installCustomFunctionsStandIn,
  invocation,
  PLACES,
  search,
} from "./custom-functions-stand-in";
import { mockRuntimeGeocoder } from "./support/runtime-mock";

const runtime = mockRuntimeGeocoder();

installCustomFunctionsStandIn();
const functions = await import("../../src/functions/functions");
// Matrix parameters receive whatever Excel has: null when omitted, a bare value from some hosts.
type Invocation = CustomFunctions.CancelableInvocation;
const reverse = functions.reverse as (
  lat: unknown,
  lon: unknown,
  fields: unknown,
  language: unknown,
  invocation: Invocation
) => Promise<unknown[][]>;
const distance = functions.distance as (
  from: unknown,
  to: unknown,
  unit: unknown,
  invocation: Invocation
) => Promise<number>;

function near(input: string, language?: string): Lookup {
  return { kind: "reverse", input, options: language ? { language } : {} };
}

/** A reverse result: the address fields plus distance, name and category; no confidence. */
const eiffel: Place = {
  lat: 48.8582599,
  lon: 2.2945006,
  formatted: "Eiffel Tower, Avenue Gustave Eiffel, 75007 Paris, France",
  address_line1: "Eiffel Tower",
  street: "Avenue Gustave Eiffel",
  postcode: "75007",
  city: "Paris",
  country: "France",
  country_code: "fr",
  result_type: "amenity",
  distance: 3.2,
  name: "Eiffel Tower",
  category: "tourism.attraction",
  attribution: "© OpenStreetMap contributors",
};

let geocoder: GeocoderDouble;
beforeEach(() => {
  geocoder = new GeocoderDouble()
    .answer(near("48.858244,2.294521"), eiffel)
    .answer(near("48.858244,2.294521", "fr"), { ...eiffel, country: "France" })
    .answer(search("London"), PLACES.london)
    .answer(search("Paris"), PLACES.paris);
  runtime.geocoder = geocoder;
});

describe("REVERSE", () => {
  it("answers the formatted address of the nearest match", async () => {
    expect(await reverse(48.858244, 2.294521, null, null, invocation())).toEqual([
      [eiffel.formatted],
    ]);
  });

  it("rounds the coordinate to 6 decimals before looking it up, so nearby cells share it", async () => {
    await reverse(48.85824412, 2.29452099, null, null, invocation());
    await reverse([["48.858244"]], [[2.2945210001]], "", null, invocation());
    expect(geocoder.requests.map((r) => r.lookup)).toEqual([
      near("48.858244,2.294521"),
      near("48.858244,2.294521"),
    ]);
  });

  it("answers fields, with distance, name and category, confidence and match_type empty", async () => {
    const row = await reverse(
      48.858244,
      2.294521,
      "name, distance; category, city, confidence, match_type",
      null,
      invocation()
    );
    expect(row).toEqual([["Eiffel Tower", 3.2, "tourism.attraction", "Paris", "", ""]]);
  });

  it("answers every documented field, and one field as a single value", async () => {
    const all = await reverse(48.858244, 2.294521, [REVERSE_FIELDS], null, invocation());
    expect(all[0]).toHaveLength(27);
    expect(await reverse(48.858244, 2.294521, [["postcode"]], null, invocation())).toEqual([
      ["75007"],
    ]);
  });

  it("sends the language as an option", async () => {
    await reverse(48.858244, 2.294521, null, "FR", invocation());
    expect(geocoder.requests[0].lookup).toEqual(near("48.858244,2.294521", "fr"));
  });

  it("gives #N/A naming the coordinate when nothing is near", async () => {
    const error = await cellError(reverse(0, -30, null, null, invocation()));
    expect([error.code, error.message]).toEqual(["#N/A", "No address found near 0, -30"]);
  });

  it.each([
    ["a latitude over 90", 200, 20, null, null, "The latitude 200 is outside -90 to 90"],
    ["a longitude under -180", 10, -181, null, null, "The longitude -181 is outside -180 to 180"],
    ["a blank latitude", null, 20, null, null, "The latitude is blank"],
    ["a text longitude", 10, "east", null, null, 'The longitude "east" is not a number'],
    ["a range as latitude", [[1, 2]], 20, null, null, "lat takes one value"],
    ["an unknown field", 10, 20, "city, shoe_size", null, 'Unknown field "shoe_size"'],
    ["an unknown language", 10, 20, null, "zz", '"zz" is not a language'],
  ])("gives #VALUE! for %s, and looks nothing up", async (_, lat, lon, fields, language, words) => {
    const error = await cellError(reverse(lat, lon, fields, language, invocation()));
    expect(error.code).toBe("#VALUE!");
    expect(error.message).toContain(words);
    expect(geocoder.requests).toEqual([]);
  });
});

describe("DISTANCE", () => {
  const london = PLACES.london;
  const paris = PLACES.paris;
  // London to Paris on the great circle, about 343.5 km between these two points.
  const LONDON_PARIS_KM = 343.5;

  function close(km: number, expected: number): void {
    expect(Math.abs(km - expected) / expected).toBeLessThan(0.005);
  }

  it("measures between two addresses, each looked up with no options, concurrently", async () => {
    const pending = distance([["London"]], "Paris", null, invocation());
    // Both lookups are asked for before either is answered.
    expect(geocoder.requests.map((r) => r.lookup)).toEqual([search("London"), search("Paris")]);
    close(await pending, LONDON_PARIS_KM);
  });

  it("measures between pairs given as a row or a column, such as LOCATION's spill", async () => {
    const row = [[london.lat, london.lon]];
    const column = [[paris.lat], [paris.lon]];
    close(await distance(row, column, "km", invocation()), LONDON_PARIS_KM);
    expect(geocoder.requests).toEqual([]);
  });

  it("mixes a pair and an address, and gives the same distance as two addresses", async () => {
    const mixed = await distance([[london.lat, london.lon]], [["Paris"]], null, invocation());
    expect(mixed).toBe(await distance("London", "Paris", null, invocation()));
  });

  it("answers in km by default, miles and metres in any case", async () => {
    const pair = [[london.lat, london.lon]];
    const other = [[paris.lat, paris.lon]];
    const km = await distance(pair, other, null, invocation());
    expect(await distance(pair, other, "KM", invocation())).toBe(km);
    expect(await distance(pair, other, " Mi ", invocation())).toBeCloseTo(km / 1.609344, 9);
    expect(await distance(pair, other, [["m"]], invocation())).toBeCloseTo(km * 1000, 6);
  });

  it("gives #N/A when an address is not found", async () => {
    const error = await cellError(distance("London", "Atlantis", null, invocation()));
    expect([error.code, error.message]).toEqual(["#N/A", 'No match for "Atlantis"']);
  });

  it.each([
    ["an unknown unit", "London", "Paris", "yd", 'Unknown unit "yd": use "km", "mi", "m"'],
    ["three numbers", [[1, 2, 3]], "Paris", null, "from must be an address or a latitude"],
    [
      "a 2×2 range",
      "London",
      [
        [1, 2],
        [3, 4],
      ],
      null,
      "to must be an address or a latitude",
    ],
    ["an impossible latitude", [[95, 2]], "Paris", null, "The latitude 95 is outside -90 to 90"],
    ["a pair with text", [["London", "Paris"]], "Paris", null, 'The latitude "London" is not'],
    ["a single number", [[51.5]], "Paris", null, "The address is the number 51.5"],
    ["an empty end", "London", null, null, "The address cell is empty"],
  ])("gives #VALUE! for %s, and looks nothing up", async (_, from, to, unit, words) => {
    const error = await cellError(distance(from, to, unit, invocation()));
    expect(error.code).toBe("#VALUE!");
    expect(error.message).toContain(words);
    expect(geocoder.requests).toEqual([]);
  });
});
