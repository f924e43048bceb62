// The pure domain: field lists, option normalisation, coordinates, addresses and distance.

import { describe, expect, it } from "vitest";
import { MAX_ADDRESS_LENGTH, readAddress } from "../../src/places/address";
import { readCoordinate } from "../../src/places/coordinates";
import { EARTH_RADIUS_KM, greatCircleDistance, parseUnit } from "../../src/places/distance";
import { DEFAULT_DETAILS_FIELDS, fieldValue, parseFields } from "../../src/places/fields";
import {
  COUNTRY_CODES,
  LANGUAGE_CODES,
  lookupOptions,
  normaliseCountries,
  normaliseLanguage,
} from "../../src/places/options";
import { FORWARD_FIELDS, REVERSE_FIELDS, type Place } from "../../src/places/place";
import { InvalidInputError, type InputProblem } from "../../src/places/problems";

function problemOf(action: () => unknown): InputProblem {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).problem;
  }
  throw new Error("expected an InvalidInputError");
}

describe("parseFields", () => {
  it("reads a text list: commas or semicolons, spaces and empty items ignored, any case", () => {
    expect(parseFields([" City ;postcode,, COUNTRY_CODE ; "], FORWARD_FIELDS)).toEqual([
      "city",
      "postcode",
      "country_code",
    ]);
  });

  it("reads the cells of a range in order, each possibly a list, and keeps repeats", () => {
    expect(parseFields(["lat", "lon, lat", "", "Confidence"], FORWARD_FIELDS)).toEqual([
      "lat",
      "lon",
      "lat",
      "confidence",
    ]);
  });

  it("gives no field for blank input, so the caller's default applies", () => {
    expect(parseFields([], FORWARD_FIELDS)).toEqual([]);
    expect(parseFields([" , ; "], FORWARD_FIELDS)).toEqual([]);
  });

  it("names an unknown field, as typed, with the valid ones", () => {
    expect(problemOf(() => parseFields(["city, Shoe_Size"], FORWARD_FIELDS))).toEqual({
      kind: "unknown-field",
      name: "Shoe_Size",
      valid: FORWARD_FIELDS,
    });
  });

  it("accepts the reverse-only fields only where they are valid", () => {
    expect(parseFields(["distance, name, category"], REVERSE_FIELDS)).toEqual([
      "distance",
      "name",
      "category",
    ]);
    expect(problemOf(() => parseFields(["distance"], FORWARD_FIELDS))).toMatchObject({
      name: "distance",
    });
  });

  it("defaults DETAILS to exactly formatted, lat, lon, confidence, match_type", () => {
    expect(DEFAULT_DETAILS_FIELDS).toEqual(["formatted", "lat", "lon", "confidence", "match_type"]);
  });
});

describe("fieldValue", () => {
  const place: Place = {
    lat: 51.501,
    lon: -0.1418,
    formatted: "Buckingham Palace, London SW1A 1AA, United Kingdom",
    postcode: "SW1A 1AA",
    confidence: 0.95,
    match_type: "full_match",
    distance: 12.4,
  };

  it("gives numbers as numbers and text as text", () => {
    expect(fieldValue(place, "lat")).toBe(51.501);
    expect(fieldValue(place, "confidence")).toBe(0.95);
    expect(fieldValue(place, "distance")).toBe(12.4);
    expect(fieldValue(place, "postcode")).toBe("SW1A 1AA");
  });

  it("gives an empty string for a missing part, numeric or not", () => {
    expect(fieldValue(place, "housenumber")).toBe("");
    expect(fieldValue(place, "confidence_street_level")).toBe("");
  });
});

describe("options", () => {
  it("holds the full ISO 3166-1 alpha-2 and ISO 639-1 lists", () => {
    expect(COUNTRY_CODES.size).toBe(249);
    expect(LANGUAGE_CODES.size).toBe(183);
    for (const code of ["gb", "us", "de", "fr", "ss"]) {
      expect(COUNTRY_CODES.has(code)).toBe(true);
    }
    // Kosovo's XK is user-assigned, not ISO: Geoapify's countrycode filter is ISO.
    expect(COUNTRY_CODES.has("xk")).toBe(false);
    expect(COUNTRY_CODES.has("uk")).toBe(false);
  });

  it("normalises a country list: lower case, sorted, de-duplicated", () => {
    expect(normaliseCountries("FR, de")).toBe("de,fr");
    expect(normaliseCountries("de,fr")).toBe("de,fr");
    expect(normaliseCountries(" fr ;DE  fr ")).toBe("de,fr");
    expect(normaliseCountries("GB")).toBe("gb");
    expect(normaliseCountries(" , ")).toBeUndefined();
    expect(normaliseCountries(undefined)).toBeUndefined();
  });

  it("names the first code that is not a country", () => {
    expect(problemOf(() => normaliseCountries("de, UK"))).toEqual({
      kind: "unknown-country",
      code: "UK",
    });
  });

  it("normalises a language and refuses unknown or longer codes", () => {
    expect(normaliseLanguage(" DE ")).toBe("de");
    expect(normaliseLanguage("")).toBeUndefined();
    expect(problemOf(() => normaliseLanguage("xx"))).toEqual({
      kind: "unknown-language",
      code: "xx",
    });
    expect(problemOf(() => normaliseLanguage("eng"))).toMatchObject({ code: "eng" });
  });

  it("builds equal option sets from equivalent input, leaving out what was not given", () => {
    expect(lookupOptions("FR, de", "EN")).toEqual(lookupOptions("de,fr", "en"));
    expect(lookupOptions("FR, de", "EN")).toEqual({ country: "de,fr", language: "en" });
    expect(lookupOptions(undefined, undefined)).toEqual({});
    expect(Object.keys(lookupOptions(undefined, "fr"))).toEqual(["language"]);
  });
});

describe("readCoordinate", () => {
  it("accepts numbers and plain decimal text within range, the limits included", () => {
    expect(readCoordinate(48.8566, "latitude")).toBe(48.8566);
    expect(readCoordinate(" -2.35 ", "longitude")).toBe(-2.35);
    expect(readCoordinate(-90, "latitude")).toBe(-90);
    expect(readCoordinate(180, "longitude")).toBe(180);
  });

  it.each([
    [null, "latitude", { kind: "coordinate-missing", axis: "latitude" }],
    ["  ", "longitude", { kind: "coordinate-missing", axis: "longitude" }],
    ["north", "latitude", { kind: "coordinate-not-number", axis: "latitude", value: "north" }],
    ["1e3", "latitude", { kind: "coordinate-not-number", axis: "latitude", value: "1e3" }],
    [true, "longitude", { kind: "coordinate-not-number", axis: "longitude", value: "true" }],
    [Number.NaN, "latitude", { kind: "coordinate-not-number", axis: "latitude", value: "NaN" }],
    [200, "latitude", { kind: "coordinate-out-of-range", axis: "latitude", value: 200, limit: 90 }],
    [
      -180.5,
      "longitude",
      { kind: "coordinate-out-of-range", axis: "longitude", value: -180.5, limit: 180 },
    ],
  ] as const)("names %j as a %s problem", (value, axis, problem) => {
    expect(problemOf(() => readCoordinate(value, axis))).toEqual(problem);
  });
});

describe("readAddress", () => {
  it("cleans the text once: trimmed, inner spaces collapsed, case kept", () => {
    expect(readAddress("  11 Wall   Street\tNew York ")).toBe("11 Wall Street New York");
  });

  it.each([
    ["an empty cell", null, { kind: "address-missing" }],
    ["empty text", "", { kind: "address-missing" }],
    ["blank text", "   ", { kind: "address-blank" }],
    ["a number", 2134, { kind: "address-number", value: 2134 }],
    ["a boolean", false, { kind: "address-not-text" }],
    [
      "a long text",
      "x".repeat(MAX_ADDRESS_LENGTH + 1),
      { kind: "address-too-long", maxLength: 1000 },
    ],
  ])("refuses %s", (_, value, problem) => {
    expect(problemOf(() => readAddress(value))).toEqual(problem);
  });
});

describe("greatCircleDistance", () => {
  const R = EARTH_RADIUS_KM;

  it("uses the IUGG mean radius of 6,371.0088 km", () => {
    expect(R).toBe(6371.0088);
  });

  it("matches distances known from geometry", () => {
    // One degree of longitude on the equator is 1/360 of the circumference.
    expect(greatCircleDistance({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(
      (2 * Math.PI * R) / 360,
      9
    );
    // Equator to pole is a quarter meridian; pole to pole and antipodes are half a circle.
    expect(greatCircleDistance({ lat: 0, lon: 30 }, { lat: 90, lon: 0 })).toBeCloseTo(
      (Math.PI * R) / 2,
      6
    );
    expect(greatCircleDistance({ lat: 90, lon: 0 }, { lat: -90, lon: 0 })).toBeCloseTo(
      Math.PI * R,
      6
    );
    // Haversine loses precision near antipodes (asin at 1): still within a metre.
    expect(greatCircleDistance({ lat: 10, lon: 20 }, { lat: -10, lon: -160 })).toBeCloseTo(
      Math.PI * R,
      3
    );
    expect(greatCircleDistance({ lat: 51.5, lon: -0.12 }, { lat: 51.5, lon: -0.12 })).toBe(0);
  });

  it("matches the published haversine example, Nashville to Los Angeles", () => {
    // Rosetta Code's haversine task: BNA (36.12, -86.67) to LAX (33.94, -118.40) is 2887.2599506
    // km on a sphere of radius 6372.8 km; the distance scales with the radius.
    const km = greatCircleDistance({ lat: 36.12, lon: -86.67 }, { lat: 33.94, lon: -118.4 });
    expect(km).toBeCloseTo((2887.2599506 * R) / 6372.8, 4);
  });

  it("puts London and Paris about 344 km apart, in km, miles and metres", () => {
    const london = { lat: 51.5074, lon: -0.1278 };
    const paris = { lat: 48.8566, lon: 2.3522 };
    const km = greatCircleDistance(london, paris, "km");
    expect(Math.abs(km - 343.9) / 343.9).toBeLessThan(0.005);
    expect(greatCircleDistance(london, paris, "mi")).toBeCloseTo(km / 1.609344, 9);
    expect(greatCircleDistance(london, paris, "m")).toBeCloseTo(km * 1000, 6);
  });

  it("reads units in any case and refuses others", () => {
    expect(parseUnit(undefined)).toBe("km");
    expect(parseUnit(" MI ")).toBe("mi");
    expect(parseUnit("M")).toBe("m");
    expect(problemOf(() => parseUnit("yd"))).toEqual({
      kind: "unknown-unit",
      unit: "yd",
      valid: ["km", "mi", "m"],
    });
  });
});
