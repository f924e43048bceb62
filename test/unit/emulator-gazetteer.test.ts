// What the emulator answers: the gazetteer, synthetic addresses, reverse lookups and the
// single-address search, over real HTTP on 127.0.0.1.

import { describe, expect, it } from "vitest";
import type { BatchJobPending, BatchResult } from "../../src/geoapify/types";
import {
  emulatorOnLoopback,
  expectError,
  KEY,
  manualClock,
  REVERSE,
  SEARCH,
} from "./support/emulator-http";

const loop = emulatorOnLoopback();
const { start, post, poll, get, geocodeAll } = loop;

describe("gazetteer", () => {
  // Reference coordinates from the places' Wikipedia infoboxes (WGS 84), not from the emulator.
  const ARTICLE_ADDRESSES: Array<[address: string, lat: number, lon: number]> = [
    ["1600 Pennsylvania Avenue Washington DC", 38.897778, -77.036389], // 38°53′52″N 77°02′11″W
    ["11 Wall Street New York", 40.706944, -74.011111], // NYSE Building, 40°42′25″N 74°00′40″W
    ["350 Fifth Avenue New York", 40.748433, -73.985656], // Empire State Building
    ["221B Baker St London", 51.5237, -0.1585], // Sherlock Holmes Museum, 51°31′25″N 0°09′31″W
    ["Tour Eiffel Champ de Mars Paris", 48.858222, 2.2945], // 48°51′29.6″N 2°17′40.2″E
    ["4059 Mt Lee Dr Hollywood", 34.133889, -118.321389], // Hollywood Sign, 34°08′02″N 118°19′17″W
    ["Buckingham Palace London", 51.500833, -0.141944], // 51°30′03″N 0°08′31″W
    ["Statue of Liberty New York", 40.689167, -74.044444], // 40°41′21″N 74°02′40″W
    ["Manger Square Bethlehem", 31.704444, 35.206389],
    ["2 Macquarie Street Sydney", -33.856667, 151.215], // Bennelong Point, 33°51′24″S 151°12′54″E
  ];
  // About 200 m: Wikipedia marks a landmark's centre, a geocoder its address point.
  const TOLERANCE_DEGREES = 0.002;

  it("finds the ten addresses of the article at their real coordinates", async () => {
    await start();
    const results = await geocodeAll(ARTICLE_ADDRESSES.map(([address]) => address));
    results.forEach((result, index) => {
      const [address, lat, lon] = ARTICLE_ADDRESSES[index];
      expect(result.query.text).toBe(address);
      expect(Math.abs(result.lat! - lat), `${address} latitude`).toBeLessThan(TOLERANCE_DEGREES);
      expect(Math.abs(result.lon! - lon), `${address} longitude`).toBeLessThan(TOLERANCE_DEGREES);
      expect(result.rank?.confidence).toBe(1);
      expect(result.formatted).toEqual(expect.any(String));
      expect(result.country_code).toMatch(/^[a-z]{2}$/);
      expect(result.city).toEqual(expect.any(String));
    });
  });

  it("matches regardless of case, spacing, punctuation, accents and street abbreviations", async () => {
    await start();
    const [canonical, ...variants] = await geocodeAll([
      "221B Baker Street, London",
      "  221b   BAKER st. london ",
      "221B Baker St, London!",
      "Tour Eiffel, Champ-de-Mars, Paris",
      "350 5th Ave, New York",
      "Tóur Éiffel champ de mars paris",
    ]);
    expect(canonical.rank?.confidence).toBe(1);
    expect(variants[0]).toMatchObject({ lat: canonical.lat, lon: canonical.lon });
    expect(variants[1]).toMatchObject({ lat: canonical.lat, lon: canonical.lon });
    expect(variants[2].name).toBe("Tour Eiffel");
    expect(variants[3].name).toBe("Empire State Building");
    expect(variants[4].name).toBe("Tour Eiffel");
  });

  it("answers an unknown address without a digit with an object holding only `query`", async () => {
    await start();
    const results = await geocodeAll(["Atlantis Under The Sea", "", "Paris"]);
    expect(results).toEqual([
      { query: { text: "Atlantis Under The Sea" } },
      { query: { text: "" } },
      { query: { text: "Paris" } },
    ]);
  });

  it("invents deterministic coordinates for any other address with a digit", async () => {
    await start();
    const [first, sameAgain, sameSpelledDifferently, other] = await geocodeAll([
      "12 Imaginary Road, Springfield",
      "12 Imaginary Road, Springfield",
      "12 imaginary rd springfield",
      "13 Imaginary Road, Springfield",
    ]);
    await loop.emulator.close();
    await start();
    const [fromAnotherInstance] = await geocodeAll(["12 Imaginary Road, Springfield"]);

    expect(first.result_type).toBe("building");
    expect(first.rank?.confidence).toBeLessThan(1);
    expect(first.formatted).toBe("12 Imaginary Road, Springfield");
    expect(first.lat).toBeGreaterThanOrEqual(-90);
    expect(first.lat).toBeLessThanOrEqual(90);
    expect(first.lon).toBeGreaterThanOrEqual(-180);
    expect(first.lon).toBeLessThanOrEqual(180);
    for (const same of [sameAgain, sameSpelledDifferently, fromAnotherInstance]) {
      expect(same).toMatchObject({ lat: first.lat, lon: first.lon });
    }
    expect([other.lat, other.lon]).not.toEqual([first.lat, first.lon]);
  });

  it("reverse-geocodes [lon, lat] pairs and {lon, lat} objects to the nearest place", async () => {
    const clock = manualClock();
    await start({ jobBaseMs: 10, now: clock.now });
    const response = await post(REVERSE, [[2.2951, 48.8587], { lon: 151.21, lat: -33.86 }]);
    expect(response.status).toBe(202);
    const pending = (await response.json()) as BatchJobPending;
    expect(pending.url).toBe(`${loop.base}${REVERSE}?id=${pending.id}&apiKey=${KEY}`);
    expect((await poll(pending.id, SEARCH)).status).toBe(404);

    clock.advance(10);
    const done = await fetch(pending.url);
    expect(done.status).toBe(200);
    const [paris, sydney] = (await done.json()) as Array<Record<string, unknown>>;
    expect(paris).toMatchObject({ query: { lon: 2.2951, lat: 48.8587 }, name: "Tour Eiffel" });
    expect(paris.distance).toBeGreaterThan(0);
    expect(paris.distance).toBeLessThan(200);
    expect(sydney).toMatchObject({ name: "Sydney Opera House", country_code: "au" });
  });

  it("refuses reverse inputs that are not coordinates", async () => {
    await start();
    await expectError(
      await post(REVERSE, [
        [2.29, 48.85],
        [200, 10],
      ]),
      400,
      '"body[1]" must be a [lon, lat] array or a {lon, lat} object'
    );
    await expectError(await post(REVERSE, ["Paris"]), 400, /"body\[0\]"/);
  });
});

describe("single-address search", () => {
  it("answers format=json with 0 or 1 result and echoes the query", async () => {
    await start();
    const found = await fetch(
      `${loop.base}/v1/geocode/search?text=${encodeURIComponent("Statue of Liberty New York")}&format=json&apiKey=${KEY}`
    );
    expect(found.status).toBe(200);
    const body = (await found.json()) as { results: BatchResult[]; query: { text: string } };
    expect(body.query.text).toBe("Statue of Liberty New York");
    expect(body.results).toHaveLength(1);
    expect(body.results[0]).toMatchObject({ name: "Statue of Liberty", country_code: "us" });

    const missing = await fetch(
      `${loop.base}/v1/geocode/search?text=Atlantis&format=json&apiKey=${KEY}`
    );
    expect(((await missing.json()) as { results: unknown[] }).results).toEqual([]);
    expect(loop.emulator.counts().single).toBe(2);
  });

  it("answers GeoJSON when format=json is missing, as Geoapify does", async () => {
    await start();
    const response = await fetch(
      `${loop.base}/v1/geocode/search?text=Colosseum%20Rome&apiKey=${KEY}`
    );
    const body = (await response.json()) as {
      type: string;
      features: Array<{ geometry: { coordinates: number[] }; properties: BatchResult }>;
    };
    expect(body.type).toBe("FeatureCollection");
    const [feature] = body.features;
    expect(feature.geometry.coordinates).toEqual([feature.properties.lon, feature.properties.lat]);
  });

  it("refuses a search without text", async () => {
    await start();
    await expectError(
      await fetch(`${loop.base}/v1/geocode/search?format=json&apiKey=${KEY}`),
      400,
      '"text" is required'
    );
  });
});

const PLUS_CODE = /^[23456789CFGHJMPQRVWX]{8}\+[23456789CFGHJMPQRVWX]{2}$/;
const DATASOURCE_ATTRIBUTIONS = ["© OpenStreetMap contributors", "© OpenAddresses contributors"];

describe("result fields", () => {
  it("gives every gazetteer place the full documented set, with its own attribution", async () => {
    await start();
    const places = [
      "1600 Pennsylvania Avenue Washington DC",
      "11 Wall Street New York",
      "221B Baker St London",
      "Tour Eiffel Champ de Mars Paris",
      "2 Macquarie Street Sydney",
      "Colosseum Rome",
      "Brandenburg Gate Berlin",
      "Sagrada Familia Barcelona",
    ];
    const results = await geocodeAll(places);
    for (const result of results) {
      const label = result.query.text;
      expect(result, label).toMatchObject({
        lat: expect.any(Number),
        lon: expect.any(Number),
        formatted: expect.any(String),
        address_line1: expect.any(String),
        address_line2: expect.any(String),
        street: expect.any(String),
        city: expect.any(String),
        state: expect.any(String),
        state_code: expect.any(String),
        postcode: expect.any(String),
        country: expect.any(String),
        country_code: expect.stringMatching(/^[a-z]{2}$/),
        result_type: expect.stringMatching(/^(building|amenity)$/),
        rank: {
          confidence: 1,
          confidence_city_level: 1,
          confidence_street_level: 1,
          match_type: "full_match",
        },
        timezone: {
          name: expect.stringMatching(/^[A-Z][a-z]+\/[A-Za-z_]+$/),
          offset_STD: expect.stringMatching(/^[+-]\d\d:\d\d$/),
          offset_STD_seconds: expect.any(Number),
          offset_DST: expect.stringMatching(/^[+-]\d\d:\d\d$/),
          offset_DST_seconds: expect.any(Number),
        },
        plus_code: expect.stringMatching(PLUS_CODE),
        place_id: expect.stringMatching(/^[0-9a-f]{70,150}$/),
        datasource: {
          sourcename: expect.any(String),
          license: expect.any(String),
          url: expect.stringMatching(/^https:\/\//),
        },
      });
      expect(result.suburb ?? result.district, label).toEqual(expect.any(String));
      expect(result.formatted, label).toBe(`${result.address_line1}, ${result.address_line2}`);
      expect(DATASOURCE_ATTRIBUTIONS, label).toContain(
        (result.datasource as { attribution: string }).attribution
      );
    }
    const attributions = new Set(
      results.map((result) => (result.datasource as { attribution: string }).attribution)
    );
    expect([...attributions].sort()).toEqual([...DATASOURCE_ATTRIBUTIONS].sort());
    expect(results.find((result) => result.city === "Washington")?.timezone).toMatchObject({
      name: "America/New_York",
      offset_STD_seconds: -18000,
    });
  });

  it("computes plus codes as Open Location Code does (the spec's own example)", async () => {
    await start();
    // Geoapify's batch reverse example: query {lon: 13.405, lat: 52.52, plus_code: "9F4MGCC4+22"}.
    const [berlin] = (await (await post(REVERSE, [[13.405, 52.52]])).json()) as Array<{
      query: { plus_code: string };
    }>;
    expect(berlin.query.plus_code).toBe("9F4MGCC4+22");
  });

  it("finds '<city>, <country>' as a city, and gives synthetic addresses the country they name", async () => {
    await start();
    const [paris, berlin, german, american, unnamed] = await geocodeAll([
      "Paris, France",
      "Berlin, DE",
      "5 Lindenweg, Potsdam, Germany",
      "12 Imaginary Road, Springfield, US",
      "12 Imaginary Road, Springfield",
    ]);
    expect(paris).toMatchObject({ result_type: "city", city: "Paris", country_code: "fr" });
    expect(berlin).toMatchObject({ result_type: "city", country_code: "de" });
    expect(german).toMatchObject({
      country_code: "de",
      country: "Germany",
      housenumber: "5",
      street: "Lindenweg",
      city: "Potsdam",
      rank: { confidence: 0.5 },
    });
    expect(american).toMatchObject({ country_code: "us", result_type: "building" });
    expect(unnamed.country_code).toMatch(/^[a-z]{2}$/);
    expect(unnamed.plus_code).toMatch(PLUS_CODE);
  });
});

describe("options", () => {
  it("finds nothing outside the countries of filter=countrycode", async () => {
    await start();
    const addresses = [
      "Buckingham Palace London",
      "Tour Eiffel Champ de Mars Paris",
      "London, UK",
      "12 Imaginary Road, Springfield, US",
      "12 Imaginary Road, Springfield, GB",
      "9 Unnamed Lane",
    ];
    const results = await geocodeAll(addresses, "?filter=countrycode:gb");
    expect(results.map((result) => result.country_code ?? null)).toEqual([
      "gb",
      null,
      "gb",
      null,
      "gb",
      "gb",
    ]);
    expect(results[1]).toEqual({ query: { text: "Tour Eiffel Champ de Mars Paris" } });
    expect(loop.emulator.requests[0].options).toEqual({ filter: "countrycode:gb" });

    const several = await geocodeAll(addresses.slice(0, 2), "?filter=countrycode:DE,fr");
    expect(several.map((result) => result.country_code ?? null)).toEqual([null, "fr"]);
    const unfiltered = await geocodeAll(addresses.slice(1, 2));
    expect(unfiltered[0].country_code).toBe("fr");
  });

  it("honours the filter in the single search too, and refuses a malformed one", async () => {
    await start();
    const search = (filter: string) =>
      get(`/v1/geocode/search?text=Colosseum%20Rome&format=json&filter=${filter}`);
    const inItaly = (await (await search("countrycode:it")).json()) as { results: unknown[] };
    const inSpain = (await (await search("countrycode:es")).json()) as { results: unknown[] };
    expect([inItaly.results.length, inSpain.results.length]).toEqual([1, 0]);
    await expectError(await search("countrycode:ita"), 400, /"filter" countrycode/);
  });

  it("names countries and cities in the language asked for", async () => {
    await start();
    const address = ["Brandenburg Gate Berlin", "Colosseum Rome"];
    const countries = async (query: string) =>
      (await geocodeAll(address, query)).map((result) => [result.country, result.city]);
    expect(await countries("")).toEqual([
      ["Germany", "Berlin"],
      ["Italy", "Rome"],
    ]);
    expect(await countries("?lang=de")).toEqual([
      ["Deutschland", "Berlin"],
      ["Italien", "Rom"],
    ]);
    expect(await countries("?lang=fr")).toEqual([
      ["Allemagne", "Berlin"],
      ["Italie", "Rome"],
    ]);
    // A language Geoapify knows and the emulator does not translate into: English.
    expect(await countries("?lang=ja")).toEqual(await countries("?lang=en"));
    const [german] = await geocodeAll(address, "?lang=de");
    expect(german.formatted).toBe("Brandenburger Tor, Pariser Platz, 10117 Berlin, Deutschland");
  });

  it("refuses a language Geoapify does not know", async () => {
    await start();
    await expectError(
      await post(`${SEARCH}?lang=xx`, ["1 A St"]),
      400,
      /^"lang" must be one of \[ab, aa, /
    );
    await expectError(
      await get("/v1/geocode/search?text=x&format=json&lang=english"),
      400,
      /"lang" must be one of/
    );
    expect(loop.emulator.jobsSubmitted()).toEqual([]);
  });
});
