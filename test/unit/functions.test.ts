// The forward functions as Excel calls them (LOCATION, LAT, LON, ADDRESS): once per cell, with
// every declared parameter (null when omitted) and an invocation, against a geocoder double in
// place of the runtime's. What is proved here: argument handling, option normalisation, the
// shape of answers, error mapping, preview, telemetry, and that invalid input is never looked up.
// DETAILS' field selection: functions-details.test.ts.

import { beforeEach, describe, expect, it } from "vitest";
import {
  BudgetExceededError,
  GeoBatchStoppedError,
  LookupFailedError,
} from "../../src/runtime/errors";
import { MissingApiKeyError } from "../../src/settings/settings";
import {
  cellError,
  collectTelemetry,
  forwardGeocoderDouble,
  GeocoderDouble,
  installCustomFunctionsStandIn,
  invocation,
  PLACES,
  search,
} from "./custom-functions-stand-in";
import { mockRuntimeGeocoder } from "./support/runtime-mock";

const runtime = mockRuntimeGeocoder();

installCustomFunctionsStandIn();
const telemetry = collectTelemetry();
const functions = await import("../../src/functions/functions");
const { location, lat, lon, address } = functions;
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

describe("LOCATION, LAT, LON, ADDRESS", () => {
  it("answer [[lat, lon]], the latitude, the longitude and the formatted address", async () => {
    const wall = PLACES.wallStreet;
    expect(await location("11 Wall Street New York", null, null, invocation())).toEqual([
      [wall.lat, wall.lon],
    ]);
    expect(await lat("11 Wall Street New York", null, null, invocation())).toBe(wall.lat);
    expect(await lon("11 Wall Street New York", null, null, invocation())).toBe(wall.lon);
    expect(await address("11 Wall Street New York", null, null, invocation())).toBe(wall.formatted);
  });

  it("ask for one lookup: the cleaned address with no options", async () => {
    const cells = [location, lat, lon, address].map((fn) =>
      fn("  11 Wall   Street New York ", null, undefined, invocation())
    );
    await Promise.all(cells);
    expect(geocoder.requests.map((r) => r.lookup)).toEqual(
      Array(4).fill(search("11 Wall Street New York"))
    );
    expect(new Set(geocoder.keys()).size).toBe(1);
  });

  it("read the address and options from 1×1 ranges as from values", async () => {
    expect(await lat([["Buckingham Palace, London"]], [["GB"]], [[""]], invocation())).toBe(
      PLACES.buckingham.lat
    );
    expect(geocoder.requests[0].lookup).toEqual(
      search("Buckingham Palace, London", { country: "gb" })
    );
  });

  it("normalise options, so equivalent spellings are one lookup", async () => {
    await lat("Paris", "FR, de", "DE", invocation());
    await lon("Paris", "de,fr", " de ", invocation());
    await address("Paris", "de;fr;FR", "de", invocation());
    expect(new Set(geocoder.keys())).toEqual(new Set([`search|de,fr|de|paris`]));
    expect(geocoder.requests[0].lookup.options).toEqual({ country: "de,fr", language: "de" });
  });

  it("treat an omitted argument, an empty cell and empty text alike", async () => {
    for (const nothing of [undefined, null, "", [[null]], [[""]]]) {
      await lat("Paris, France", nothing, nothing, invocation());
    }
    expect(geocoder.requests.map((r) => r.lookup.options)).toEqual(Array(5).fill({}));
  });

  it("report the cell's address and pass a cancellation signal to the runtime", async () => {
    await lat("Paris, France", null, null, invocation({ address: "Sheet1!B2" }));
    const [{ options }] = geocoder.requests;
    expect(telemetry).toEqual([expect.objectContaining({ type: "cell", cell: "Sheet1!B2" })]);
    expect(options.signal).toBeInstanceOf(AbortSignal);
    expect(options.preview).toBe(false);
  });

  it("settle a cancelled cell as cancelled, the runtime's signal aborted", async () => {
    const cell = invocation();
    const pending = lat("Paris, France", null, null, cell);
    cell.cancel();
    expect(geocoder.requests[0].options.signal?.aborted).toBe(true);
    const error = await cellError(pending);
    expect([error.code, error.message]).toEqual(["#N/A", "Cancelled"]);
  });
});

describe("invalid input gives #VALUE! and is never looked up", () => {
  it.each([
    ["an empty address cell", null, null, null, "The address cell is empty"],
    ["blank text", "   ", null, null, "The address is blank"],
    ["a boolean", true, null, null, "The address must be text"],
    ["an address over 1,000 characters", "9 Long Road ".repeat(100), null, null, "1,000"],
    ["a range of addresses", [["a"], ["b"]], null, null, "address takes one value"],
    ["an unknown country", "Paris", "fr, uk", null, '"uk" is not an ISO country code'],
    ["a three-letter country", "Paris", "FRA", null, '"FRA" is not an ISO country code'],
    ["an unknown language", "Paris", null, "xx", '"xx" is not a language Geoapify knows'],
  ])("%s", async (_, value, country, language, words) => {
    for (const fn of [location, lat, lon, address]) {
      const error = await cellError(fn(value, country, language, invocation()));
      expect(error.code).toBe("#VALUE!");
      expect(error.message).toContain(words);
    }
    expect(geocoder.requests).toEqual([]);
  });

  it("shows the fix for a number where an address belongs (a postcode lost its zeros)", async () => {
    const error = await cellError(address(2134, null, null, invocation()));
    expect(error.code).toBe("#VALUE!");
    expect(error.message).toContain("2134");
    expect(error.message).toContain('TEXT(A2, "00000") & ", US"');
    expect(geocoder.requests).toEqual([]);
  });
});

describe("failures of the runtime", () => {
  it("gives #N/A naming the address and the countries searched", async () => {
    const error = await cellError(location("Paris, France", "gb", null, invocation()));
    expect([error.code, error.message]).toEqual(["#N/A", 'No match for "Paris, France" in GB']);
    expect(geocoder.requests[0].lookup).toEqual(search("Paris, France", { country: "gb" }));
  });

  it("cuts a long address in the no-match message", async () => {
    const long = "1 Very Long Street Name That Goes On And On, Nowhere";
    const error = await cellError(lat(long, null, null, invocation()));
    expect(error.message).toBe(`No match for "${long.slice(0, 39)}…"`);
  });

  it.each([
    [
      "a missing key",
      new MissingApiKeyError(),
      "#VALUE!",
      "Set your Geoapify API key in the GeoBatch pane",
    ],
    [
      "a rejected key",
      new LookupFailedError("auth", 401),
      "#VALUE!",
      "Geoapify rejected the API key: check it in the GeoBatch pane",
    ],
    [
      "a refused request",
      new LookupFailedError("bad-request", 400),
      "#VALUE!",
      "Geoapify refused this request: check the address and its options",
    ],
    [
      "a spent budget",
      new BudgetExceededError(500),
      "#VALUE!",
      "Today's budget of 500 credits is spent: raise it in the GeoBatch pane, or recalculate tomorrow",
    ],
    [
      "a quota 429",
      new LookupFailedError("quota", 429),
      "#N/A",
      "Geoapify's rate limit or daily quota for this key is reached: wait a minute, or try tomorrow or raise your plan",
    ],
    [
      "a job still running",
      new LookupFailedError("still-running"),
      "#N/A",
      "Geoapify is still working on this batch; recalculate later to collect it",
    ],
    [
      "no network",
      new LookupFailedError("network"),
      "#N/A",
      "Could not reach Geoapify: check the connection, then recalculate",
    ],
    [
      "a server error",
      new LookupFailedError("server", 500),
      "#N/A",
      "Geoapify is having trouble: recalculate later",
    ],
    [
      "an unreadable answer",
      new LookupFailedError("malformed"),
      "#N/A",
      "Geoapify sent an unreadable answer: recalculate later",
    ],
    ["an aborted lookup", new LookupFailedError("aborted"), "#N/A", "Cancelled"],
    [
      "a stopped runtime",
      new GeoBatchStoppedError(),
      "#N/A",
      "GeoBatch was stopped: recalculate to try again",
    ],
    [
      "anything else",
      new TypeError("https://api.geoapify.com/?apiKey=secret"),
      "#N/A",
      "Geocoding failed: recalculate to try again",
    ],
  ])("words %s", async (_, failure, code, message) => {
    geocoder.failWith(failure);
    const error = await cellError(lat("Paris, France", null, null, invocation()));
    expect([error.code, error.message]).toEqual([code, message]);
  });
});

describe("formula value preview", () => {
  it("asks the runtime for a preview, and shows #N/A 'Press Enter to geocode' when not cached", async () => {
    const error = await cellError(
      lat("Paris, France", null, null, invocation({ isInValuePreview: true }))
    );
    expect([error.code, error.message]).toEqual(["#N/A", "Press Enter to geocode"]);
    expect(geocoder.requests[0].options.preview).toBe(true);
  });

  it("answers a cached lookup in preview", async () => {
    await lat("Paris, France", null, null, invocation());
    expect(await lon("Paris, France", null, null, invocation({ isInValuePreview: true }))).toBe(
      PLACES.paris.lon
    );
  });

  it("treats an absent or false flag as no preview", async () => {
    await lat("Paris, France", null, null, invocation({ isInValuePreview: false }));
    await lat("Paris, France", null, null, invocation());
    expect(geocoder.requests.map((r) => r.options.preview)).toEqual([false, false]);
  });
});

describe("telemetry", () => {
  it("reports each settled call once: the cell, the function, the input and the place", async () => {
    await details(
      "Buckingham Palace, London",
      "city",
      null,
      null,
      invocation({ address: "Sheet1!C3" })
    );
    expect(telemetry).toEqual([
      {
        type: "cell",
        cell: "Sheet1!C3",
        fn: "DETAILS",
        input: "Buckingham Palace, London",
        ok: true,
        lat: PLACES.buckingham.lat,
        lon: PLACES.buckingham.lon,
        confidence: 1,
        formatted: PLACES.buckingham.formatted,
        matchType: "full_match",
        keys: ["search|||buckingham palace, london"],
      },
    ]);
  });

  it("reports a failure with the cell's message and no secret", async () => {
    geocoder.failWith(new LookupFailedError("auth", 401));
    await cellError(lat([["Paris, France"]], null, null, invocation({ address: "Sheet1!A1" })));
    await cellError(lon(42, null, null, invocation()));
    expect(telemetry).toEqual([
      {
        type: "cell",
        cell: "Sheet1!A1",
        fn: "LAT",
        input: "Paris, France",
        ok: false,
        message: "Geoapify rejected the API key: check it in the GeoBatch pane",
        reason: "auth",
        keys: ["search|||paris, france"],
      },
      expect.objectContaining({
        fn: "LON",
        input: "42",
        ok: false,
        message: expect.stringContaining("TEXT("),
      }),
    ]);
    expect(JSON.stringify(telemetry)).not.toContain("7f3a9c");
  });
});
