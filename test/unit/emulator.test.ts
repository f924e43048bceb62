// The Geoapify emulator over real HTTP on 127.0.0.1. Job timing runs on an injected clock, so
// nothing here sleeps to wait for a job.

import { afterEach, describe, expect, it } from "vitest";
import {
  GeoapifyEmulator,
  type EmulatorOptions,
  type Fault,
} from "../../src/dev/emulator/emulator";
import type { ApiErrorBody, BatchJobPending, BatchResult } from "../../src/geoapify/types";

const KEY = "test-key";
const SEARCH = "/v1/batch/geocode/search";
const REVERSE = "/v1/batch/geocode/reverse";

let emulator: GeoapifyEmulator | undefined;
let base = "";

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** A clock the test moves by hand; starts far from 0 so that "0" bugs show. */
function manualClock() {
  let time = 1_700_000_000_000;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

/** Starts an emulator whose jobs finish instantly unless the options say otherwise. */
async function start(options: EmulatorOptions = {}): Promise<GeoapifyEmulator> {
  emulator = new GeoapifyEmulator({ jobBaseMs: 0, jobPerAddressMs: 0, ...options });
  base = await emulator.listen();
  return emulator;
}

function post(path: string, body: unknown, key: string | null = KEY): Promise<Response> {
  const query = key === null ? "" : `?apiKey=${encodeURIComponent(key)}`;
  return fetch(`${base}${path}${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function poll(id: string, path = SEARCH, key = KEY): Promise<Response> {
  return fetch(`${base}${path}?id=${id}&apiKey=${encodeURIComponent(key)}`);
}

/** Submits addresses and returns the finished results (jobs finish at once by default). */
async function geocodeAll(addresses: string[]): Promise<BatchResult[]> {
  const response = await post(SEARCH, addresses);
  expect(response.status).toBe(200);
  return (await response.json()) as BatchResult[];
}

async function expectError(response: Response, status: number, message: RegExp | string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as ApiErrorBody;
  expect(Object.keys(body).sort()).toEqual(["error", "message", "statusCode"]);
  expect(body.statusCode).toBe(status);
  expect(body.error.length).toBeGreaterThan(0);
  if (typeof message === "string") expect(body.message).toBe(message);
  else expect(body.message).toMatch(message);
}

describe("batch job life cycle", () => {
  it("answers 202 pending, then 200 with one result per input in input order, re-readable", async () => {
    const clock = manualClock();
    await start({ jobBaseMs: 100, jobPerAddressMs: 10, now: clock.now });
    const addresses = ["Statue of Liberty New York", "Nowhere in particular", "7 Elm Row, Dover"];

    const submitted = await post(SEARCH, addresses);
    expect(submitted.status).toBe(202);
    const pending = (await submitted.json()) as BatchJobPending;
    expect(pending.id).toMatch(/^[0-9a-f]{32}$/);
    expect(pending.status).toBe("pending");
    expect(pending.url).toBe(`${base}${SEARCH}?id=${pending.id}&apiKey=${KEY}`);

    clock.advance(129);
    const stillPending = await fetch(pending.url);
    expect(stillPending.status).toBe(202);
    expect(await stillPending.json()).toEqual(pending);

    clock.advance(1);
    const done = await fetch(pending.url);
    expect(done.status).toBe(200);
    const results = (await done.json()) as BatchResult[];
    expect(results.map((result) => result.query.text)).toEqual(addresses);

    const again = await fetch(pending.url);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(results);
  });

  it("runs jobs independently: a short job submitted later can finish first", async () => {
    const clock = manualClock();
    await start({ jobBaseMs: 100, jobPerAddressMs: 10, now: clock.now });
    const long = (await (
      await post(SEARCH, Array(10).fill("1 Long Road"))
    ).json()) as BatchJobPending;
    clock.advance(50);
    const short = (await (await post(SEARCH, ["2 Short Road"])).json()) as BatchJobPending;

    clock.advance(110); // the short job is due at 50 + 110, the long one at 200
    expect((await fetch(short.url)).status).toBe(200);
    expect((await fetch(long.url)).status).toBe(202);
    clock.advance(40);
    expect((await fetch(long.url)).status).toBe(200);
  });

  it("answers 200 with the results straight from the submit when a job takes no time", async () => {
    await start({ jobBaseMs: 0, jobPerAddressMs: 0 });
    const response = await post(SEARCH, ["Buckingham Palace London", "9 Any Street"]);
    expect(response.status).toBe(200);
    const results = (await response.json()) as BatchResult[];
    expect(results.map((result) => result.query.text)).toEqual([
      "Buckingham Palace London",
      "9 Any Street",
    ]);
    expect(emulator!.requests[0]).toMatchObject({ kind: "submit", status: 200, addresses: 2 });
  });

  it("forgets results 24 hours after the job finished", async () => {
    const clock = manualClock();
    await start({ jobBaseMs: 100, now: clock.now });
    const pending = (await (await post(SEARCH, ["1 Old Road"])).json()) as BatchJobPending;
    clock.advance(100 + 24 * 60 * 60 * 1000);
    expect((await fetch(pending.url)).status).toBe(200);
    clock.advance(1);
    await expectError(await fetch(pending.url), 404, /not found/i);
  });

  it("keeps a job pending when its duration is set at run time", async () => {
    const clock = manualClock();
    const instance = await start({ now: clock.now });
    instance.set({ jobBaseMs: 500 });
    const pending = (await (await post(SEARCH, ["1 Slow Road"])).json()) as BatchJobPending;
    clock.advance(499);
    expect((await fetch(pending.url)).status).toBe(202);
    clock.advance(1);
    expect((await fetch(pending.url)).status).toBe(200);
  });
});

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
    await emulator!.close();
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
    expect(pending.url).toBe(`${base}${REVERSE}?id=${pending.id}&apiKey=${KEY}`);
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
      `${base}/v1/geocode/search?text=${encodeURIComponent("Statue of Liberty New York")}&format=json&apiKey=${KEY}`
    );
    expect(found.status).toBe(200);
    const body = (await found.json()) as { results: BatchResult[]; query: { text: string } };
    expect(body.query.text).toBe("Statue of Liberty New York");
    expect(body.results).toHaveLength(1);
    expect(body.results[0]).toMatchObject({ name: "Statue of Liberty", country_code: "us" });

    const missing = await fetch(
      `${base}/v1/geocode/search?text=Atlantis&format=json&apiKey=${KEY}`
    );
    expect(((await missing.json()) as { results: unknown[] }).results).toEqual([]);
    expect(emulator!.counts().single).toBe(2);
  });

  it("answers GeoJSON when format=json is missing, as Geoapify does", async () => {
    await start();
    const response = await fetch(`${base}/v1/geocode/search?text=Colosseum%20Rome&apiKey=${KEY}`);
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
      await fetch(`${base}/v1/geocode/search?format=json&apiKey=${KEY}`),
      400,
      '"text" is required'
    );
  });
});

describe("client errors", () => {
  it.each<[string, unknown, string]>([
    ["a body that is not JSON", '["1 Main St"', "Invalid request payload JSON format"],
    ["a body that is not an array", { addresses: ["1 Main St"] }, '"body" must be an array'],
    ["an empty array", [], '"body" must contain at least 1 items'],
    [
      "more than 1,000 items",
      Array.from({ length: 1001 }, (_, index) => `${index} Main St`),
      '"body" must contain less than or equal to 1000 items',
    ],
    ["an item that is not a string", ["1 Main St", 42], '"body[1]" must be a string'],
  ])("answers 400 to %s", async (_case, body, message) => {
    await start();
    await expectError(await post(SEARCH, body), 400, message);
    expect(emulator!.jobsSubmitted()).toEqual([]);
  });

  it("accepts exactly 1,000 items", async () => {
    await start();
    const addresses = Array.from({ length: 1000 }, (_, index) => `${index} Main St`);
    expect(await geocodeAll(addresses)).toHaveLength(1000);
  });

  it("answers 413 to a body far beyond 1,000 addresses, without keeping it", async () => {
    await start();
    await expectError(await post(SEARCH, ["x".repeat(5 * 1024 * 1024)]), 413, /maximum/);
    expect(emulator!.requests[0]).toMatchObject({ kind: "submit", status: 413 });
  });

  it("answers 400 to a poll without an id", async () => {
    await start();
    await expectError(await fetch(`${base}${SEARCH}?apiKey=${KEY}`), 400, '"id" is required');
  });

  it("answers 401 to a missing, empty or invalid key, before looking at the body", async () => {
    const instance = await start({ invalidKeys: ["revoked"] });
    await expectError(await post(SEARCH, ["1 Main St"], null), 401, "Invalid apiKey");
    await expectError(await post(SEARCH, ["1 Main St"], ""), 401, "Invalid apiKey");
    await expectError(await post(SEARCH, "not json", "revoked"), 401, "Invalid apiKey");
    await expectError(await poll("0".repeat(32), SEARCH, "revoked"), 401, "Invalid apiKey");
    expect((await post(SEARCH, ["1 Main St"], "any-other-key")).status).toBe(200);

    instance.set({ invalidKeys: ["any-other-key"] });
    await expectError(await post(SEARCH, ["1 Main St"], "any-other-key"), 401, "Invalid apiKey");
  });

  it("answers 404 to an unknown job and to an unknown path", async () => {
    await start();
    await expectError(await poll("0123456789abcdef0123456789abcdef"), 404, /not found/i);
    await expectError(await poll("not-an-id"), 404, /not found/i);
    await expectError(await fetch(`${base}/v1/elsewhere?apiKey=${KEY}`), 404, "Not Found");
    await expectError(
      await fetch(`${base}${SEARCH}?apiKey=${KEY}`, { method: "PUT" }),
      404,
      "Not Found"
    );
  });
});

describe("CORS", () => {
  it("answers the preflight of a JSON POST from any origin", async () => {
    await start();
    const response = await fetch(`${base}${SEARCH}?apiKey=${KEY}`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "content-type"
    );
    expect(emulator!.counts().total).toBe(0);
    expect(emulator!.requests[0]).toMatchObject({ method: "OPTIONS", kind: "other", status: 204 });
  });

  it("allows any origin and exposes Retry-After on every answer, errors included", async () => {
    await start();
    for (const response of [await post(SEARCH, ["1 Main St"]), await poll("f".repeat(32))]) {
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-expose-headers")).toBe("Retry-After");
    }
  });

  it("hides Retry-After when configured to, like a server that forgets to expose it", async () => {
    const instance = await start({ exposeRetryAfter: false });
    instance.inject({ response: { status: 429, retryAfterSeconds: 3 } });
    const response = await post(SEARCH, ["1 Main St"]);
    expect(response.status).toBe(429);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-expose-headers")).toBeNull();
  });
});

describe("fault injection", () => {
  it("answers 429 with Retry-After and a message once, then behaves again", async () => {
    const instance = await start();
    instance.inject({ response: { status: 429, retryAfterSeconds: 2, message: "Slow down" } });
    const limited = await post(SEARCH, ["1 Main St"]);
    expect(limited.headers.get("retry-after")).toBe("2");
    await expectError(limited, 429, "Slow down");
    expect((await post(SEARCH, ["1 Main St"])).status).toBe(200);
    expect(instance.jobsSubmitted()).toEqual([["1 Main St"]]);
  });

  it.each([500, 502, 503] as const)("answers %i as a JSON error", async (status) => {
    const instance = await start();
    instance.inject({ response: { status } });
    await expectError(await post(SEARCH, ["1 Main St"]), status, /try again/);
  });

  it("answers an injected 401 although the key is valid", async () => {
    const instance = await start();
    instance.inject({ response: { status: 401 } });
    await expectError(await post(SEARCH, ["1 Main St"]), 401, "Invalid apiKey");
  });

  it("drops the connection without an answer", async () => {
    const instance = await start();
    instance.inject({ response: "drop" });
    await expect(post(SEARCH, ["1 Main St"])).rejects.toThrow();
    expect(instance.requests[0]).toMatchObject({ kind: "submit", status: 0 });
    expect((await post(SEARCH, ["1 Main St"])).status).toBe(200);
  });

  it("answers 200 with a body that is not JSON", async () => {
    const instance = await start();
    instance.inject({ response: "malformed" });
    const response = await post(SEARCH, ["1 Main St"]);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it("drops one element from the next finished results, waiting for them", async () => {
    const clock = manualClock();
    const instance = await start({ jobBaseMs: 10, now: clock.now });
    instance.inject({ on: "poll", response: "wrong-length" });
    const pending = (await (
      await post(SEARCH, ["1 A St", "2 B St", "3 C St"])
    ).json()) as BatchJobPending;
    expect((await fetch(pending.url)).status).toBe(202);
    clock.advance(10);
    const short = (await (await fetch(pending.url)).json()) as BatchResult[];
    expect(short.map((result) => result.query.text)).toEqual(["1 A St", "2 B St"]);
    const full = (await (await fetch(pending.url)).json()) as BatchResult[];
    expect(full).toHaveLength(3);
  });

  it("reverses the order of the next finished results", async () => {
    const instance = await start();
    instance.inject({ response: "reorder" });
    const results = await geocodeAll(["1 A St", "2 B St", "3 C St"]);
    expect(results.map((result) => result.query.text)).toEqual(["3 C St", "2 B St", "1 A St"]);
  });

  it("fires each fault only on the kind of request it targets, in injection order", async () => {
    const clock = manualClock();
    const instance = await start({ jobBaseMs: 10, now: clock.now });
    const faults: Fault[] = [
      { on: "poll", response: { status: 503 } },
      { on: "submit", response: { status: 502 } },
      { on: "poll", response: { status: 500 } },
    ];
    instance.inject(...faults);
    expect((await post(SEARCH, ["1 A St"])).status).toBe(502);
    const pending = (await (await post(SEARCH, ["1 A St"])).json()) as BatchJobPending;
    expect((await fetch(pending.url)).status).toBe(503);
    expect((await fetch(pending.url)).status).toBe(500);
    expect((await fetch(pending.url)).status).toBe(202);
    expect((await fetch(`${base}/v1/geocode/search?text=x&format=json&apiKey=${KEY}`)).status).toBe(
      200
    );
  });

  it("keeps jobs pending forever in neverFinish mode, even jobs that take no time", async () => {
    const clock = manualClock();
    const instance = await start({ jobBaseMs: 10, now: clock.now });
    instance.set({ neverFinish: true });
    const pending = (await (await post(SEARCH, ["1 A St"])).json()) as BatchJobPending;
    clock.advance(60 * 60 * 1000);
    expect((await fetch(pending.url)).status).toBe(202);
    instance.set({ jobBaseMs: 0 });
    expect((await post(SEARCH, ["2 B St"])).status).toBe(202);

    instance.set({ neverFinish: false });
    expect((await fetch(pending.url)).status).toBe(200);
  });

  it("answers every API request 429 Quota exceeded when the quota is spent", async () => {
    const instance = await start();
    instance.set({ quotaExhausted: true });
    await expectError(await post(SEARCH, ["1 A St"]), 429, /Quota exceeded/);
    await expectError(await poll("a".repeat(32)), 429, /Quota exceeded/);
    await expectError(
      await fetch(`${base}/v1/geocode/search?text=x&format=json&apiKey=${KEY}`),
      429,
      /Quota exceeded/
    );
    instance.reset();
    expect((await post(SEARCH, ["1 A St"])).status).toBe(200);
  });

  it("delays every answer by the latency set at run time", async () => {
    const instance = await start();
    instance.set({ latencyMs: 80 });
    const startedAt = performance.now();
    expect((await post(SEARCH, ["1 A St"])).status).toBe(200);
    // A lower bound only: a busy machine can make it slower, never faster.
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(70);
  });
});

describe("bookkeeping", () => {
  it("counts requests and remembers the addresses of each accepted job", async () => {
    const clock = manualClock();
    const instance = await start({ jobBaseMs: 10, now: clock.now });
    const first = (await (await post(SEARCH, ["1 A St", "2 B St"])).json()) as BatchJobPending;
    await post(SEARCH, ["3 C St", "4 D St", "5 E St"]);
    await post(SEARCH, []);
    await fetch(first.url);
    await fetch(`${base}/v1/geocode/search?text=x&format=json&apiKey=${KEY}`);
    await post(REVERSE, [[0, 0]]);

    expect(instance.counts()).toEqual({
      submit: 3,
      poll: 1,
      single: 1,
      total: 6,
      addressesSubmitted: 5,
      largestJob: 3,
    });
    expect(instance.jobsSubmitted()).toEqual([
      ["1 A St", "2 B St"],
      ["3 C St", "4 D St", "5 E St"],
    ]);
    expect(instance.requests.map((request) => [request.kind, request.status])).toEqual([
      ["submit", 202],
      ["submit", 202],
      ["submit", 400],
      ["poll", 202],
      ["single", 200],
      ["reverse-submit", 202],
    ]);
    expect(instance.requests[3]).toMatchObject({ jobId: first.id, at: clock.now() });

    instance.reset();
    expect(instance.requests).toEqual([]);
    expect(instance.counts().total).toBe(0);
    expect(instance.jobsSubmitted()).toEqual([]);
    expect((await fetch(first.url)).status).toBe(404);
  });

  it("never records the API key, only whether there was one", async () => {
    const secret = "s3cr3t-key-do-not-log";
    const instance = await start({ invalidKeys: ["also-s3cr3t"] });
    const pending = await post(SEARCH, ["1 A St"], secret);
    await post(SEARCH, ["1 A St"], "also-s3cr3t");
    await post(SEARCH, ["1 A St"], null);
    await poll("b".repeat(32), SEARCH, secret);
    expect(pending.status).toBe(200);

    const recorded = JSON.stringify([
      instance.requests,
      instance.jobsSubmitted(),
      instance.counts(),
    ]);
    expect(recorded).not.toContain(secret);
    expect(recorded).not.toContain("also-s3cr3t");
    expect(instance.requests.map((request) => request.apiKeyPresent)).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });
});

describe("shutdown", () => {
  function activeHandles(): string[] {
    return process
      .getActiveResourcesInfo()
      .filter((type) => type === "Timeout" || type.startsWith("TCP"))
      .sort();
  }

  /** Handles once sockets of earlier tests have finished closing (bounded). */
  async function settledHandles(): Promise<string[]> {
    let previous = activeHandles();
    for (let attempt = 0; attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const current = activeHandles();
      if (current.join() === previous.join()) return current;
      previous = current;
    }
    return previous;
  }

  const count = (handles: string[], type: string) => handles.filter((t) => t === type).length;

  it("close() ends open connections and delayed answers, leaving no timer or socket", async () => {
    const before = await settledHandles();
    const instance = new GeoapifyEmulator({ latencyMs: 60_000 });
    const url = await instance.listen();
    const hanging = fetch(`${url}${SEARCH}?apiKey=${KEY}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(["1 A St"]),
    });
    // Bounded wait until the request sits in its latency delay.
    for (
      let attempt = 0;
      attempt < 200 && count(activeHandles(), "Timeout") <= count(before, "Timeout");
      attempt++
    ) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const during = activeHandles();
    expect(count(during, "Timeout")).toBeGreaterThan(count(before, "Timeout"));
    expect(count(during, "TCPServerWrap")).toBe(count(before, "TCPServerWrap") + 1);

    await instance.close();
    await expect(hanging).rejects.toThrow();
    await expect(fetch(`${url}${SEARCH}?apiKey=${KEY}`)).rejects.toThrow();
    // "No more than before": unrelated timers of the test runner may come and go meanwhile.
    const after = await settledHandles();
    for (const type of new Set([...during, ...after])) {
      expect(count(after, type), type).toBeLessThanOrEqual(count(before, type));
    }
  });

  it("close() is harmless when the emulator never listened or already closed", async () => {
    const instance = new GeoapifyEmulator();
    await instance.close();
    await instance.listen();
    await instance.close();
    await instance.close();
  });
});
