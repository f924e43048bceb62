// From the functions to the cache over real HTTP: the real functions, the runtime Geocoder and
// the Geoapify client against the dev emulator on 127.0.0.1. Asserts answers, what was sent and
// what was cached, never how long anything took.

import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { GeocodeCache } from "../../src/cache/geocode-cache";
import { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { geocode, reverseGeocode } from "../../src/dev/emulator/gazetteer";
import { memoryJobStore } from "../../src/geoapify/job-store";
import { coordinateInput, lookupKey } from "../../src/places/lookup";
import { Geocoder } from "../../src/runtime/geocoder";
import { memoryStore, Settings, SETTING_KEYS } from "../../src/settings/settings";
import {
  CellError,
  collectTelemetry,
  installCustomFunctionsStandIn,
  invocation,
} from "./custom-functions-stand-in";
import { mockRuntimeGeocoder } from "./support/runtime-mock";

const runtime = mockRuntimeGeocoder();

installCustomFunctionsStandIn();
collectTelemetry();
const functions = await import("../../src/functions/functions");
const { location, lat, place } = functions;
// A matrix parameter receives whatever Excel has: null when omitted, text from some hosts.
const reverse = functions.reverse as (
  ...args: [unknown, unknown, unknown, unknown, CustomFunctions.CancelableInvocation]
) => Promise<unknown[][]>;

const PALACE = "Buckingham Palace, London";
let emulator: GeoapifyEmulator;
let baseUrl: string;
let geocoder: Geocoder;

beforeAll(async () => {
  emulator = new GeoapifyEmulator({ jobBaseMs: 20, jobPerAddressMs: 0 });
  baseUrl = await emulator.listen(0, "127.0.0.1");
});
afterEach(async () => {
  await geocoder.close();
});
afterAll(async () => {
  await emulator.close();
});

it("LOCATION, LAT, REVERSE and PLACE go through one job per kind and land in the cache", async () => {
  const cache = GeocodeCache.open({ indexedDB: null });
  geocoder = new Geocoder({
    settings: new Settings({
      store: memoryStore({ [SETTING_KEYS.apiKey]: "test-key", [SETTING_KEYS.baseUrl]: baseUrl }),
    }),
    cache,
    jobStore: Promise.resolve(memoryJobStore()),
    client: { rateChannel: () => undefined, retryBaseDelayMs: 10 },
  });
  runtime.geocoder = geocoder;
  const palace = geocode(PALACE);
  const near = reverseGeocode(-0.1418, 51.501);

  const [spill, latitude, card, address, fields, unknown] = await Promise.allSettled([
    location(PALACE, null, null, invocation()),
    lat("  buckingham palace,   LONDON ", null, null, invocation()),
    place(PALACE, null, null, invocation()),
    reverse(51.501, -0.1418, null, null, invocation()),
    reverse([[51.501]], [[-0.1418]], "city, distance", null, invocation()),
    location("Nowhere In Particular", null, null, invocation()),
  ]);

  expect(spill).toEqual({ status: "fulfilled", value: [[palace.lat, palace.lon]] });
  expect(latitude).toEqual({ status: "fulfilled", value: palace.lat });
  expect(card).toMatchObject({
    status: "fulfilled",
    value: {
      type: "Entity",
      text: palace.formatted,
      properties: {
        Latitude: { type: "Double", basicValue: palace.lat },
        Longitude: { type: "Double", basicValue: palace.lon },
      },
    },
  });
  expect(address).toEqual({ status: "fulfilled", value: [[near.formatted]] });
  expect(fields).toEqual({ status: "fulfilled", value: [[near.city, near.distance]] });
  expect(unknown.status).toBe("rejected");
  expect((unknown as PromiseRejectedResult).reason).toBeInstanceOf(CellError);
  expect((unknown as PromiseRejectedResult).reason.code).toBe("#N/A");

  // One search job with the two addresses, one reverse job with the one point: shared lookups.
  const inputsOf = (kind: string) =>
    emulator.requests.filter((request) => request.kind === kind).map((request) => request.inputs);
  expect(inputsOf("submit")).toEqual([[PALACE, "Nowhere In Particular"]]);
  expect(inputsOf("reverse-submit")).toEqual([[[-0.1418, 51.501]]]);
  expect(emulator.counts().single).toBe(0);
  expect(emulator.requests.every((request) => request.apiKeyPresent)).toBe(true);

  const cached = await cache;
  expect(cached.stats()).toMatchObject({ entries: 3, found: 2, notFound: 1 });
  const key = (text: string) => `${baseUrl} ${text}`;
  expect(cached.get(key(lookupKey({ kind: "search", options: {}, input: PALACE })))).toMatchObject({
    lat: palace.lat,
    lon: palace.lon,
    formatted: palace.formatted,
  });
  const point = { kind: "reverse" as const, options: {}, input: coordinateInput(51.501, -0.1418) };
  expect(cached.get(key(lookupKey(point)))).toMatchObject({ city: near.city });

  // A recalculation is answered from the cache: nothing more is sent.
  const requests = emulator.requests.length;
  expect(await lat(PALACE, null, null, invocation())).toBe(palace.lat);
  expect(await reverse(51.501, -0.1418, "formatted", null, invocation())).toEqual([
    [near.formatted],
  ]);
  expect(emulator.requests).toHaveLength(requests);
});
