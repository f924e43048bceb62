// The real functions (src/functions) over the real runtime Geocoder and the in-memory Geoapify on
// the fake clock: one lookup shared by every function, option sets as job groups, formula value
// preview, and the daily budget. Only src/runtime/runtime is replaced, to point at a Geocoder
// this file opens.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { lookupKey } from "../../src/places/lookup";
import type { Geocoder } from "../../src/runtime/geocoder";
import {
  CellError,
  collectTelemetry,
  installCustomFunctionsStandIn,
  invocation,
} from "./custom-functions-stand-in";
import { answerFor, type FakeGeoapify } from "./support/fake-geoapify";
import {
  cacheKeyOf,
  connect,
  drain,
  fakeGeoapify,
  openRuntime,
  search,
  settleWithoutTime,
  type Runtime,
} from "./support/runtime-harness";
import { mockRuntimeGeocoder } from "./support/runtime-mock";

const runtime = mockRuntimeGeocoder();

installCustomFunctionsStandIn();
const telemetry = collectTelemetry();
const functions = await import("../../src/functions/functions");
const { location, lat, address, details, place } = functions;

let fake: FakeGeoapify;
let opened: Runtime;

async function start(setup: Parameters<typeof openRuntime>[1] = {}): Promise<Geocoder> {
  opened = await connect(openRuntime(fake, setup));
  runtime.geocoder = opened.geocoder;
  return opened.geocoder;
}

/** The POSTs the fake received: their options (filter, lang) and addresses. */
function jobs(): Array<{ params: string; addresses: string[] | undefined }> {
  return fake.submits.map((request) => {
    const params = new URLSearchParams(request.url.search);
    params.delete("apiKey");
    return { params: params.toString(), addresses: request.addresses };
  });
}

async function cellErrorOf(outcome: PromiseSettledResult<unknown>): Promise<CellError> {
  expect(outcome.status).toBe("rejected");
  const reason = (outcome as PromiseRejectedResult).reason as unknown;
  expect(reason).toBeInstanceOf(CellError);
  return reason as CellError;
}

beforeEach(() => {
  vi.useFakeTimers();
  fake = fakeGeoapify({ jobMs: () => 2_000 });
  telemetry.length = 0;
});
afterEach(async () => {
  await opened.geocoder.close();
  vi.useRealTimers();
});

describe("one lookup shared by every function", () => {
  it("LOCATION, LAT, ADDRESS, DETAILS and PLACE of one address: one input, one job, one entry", async () => {
    await start();
    const spellings = ["1 Baker St London", "  1 baker st   LONDON ", "1 BAKER ST LONDON"];
    const expected = answerFor("1 Baker St London") as { lat: number; lon: number };
    const cells = [
      location(spellings[0], null, null, invocation()),
      lat(spellings[1], null, null, invocation()),
      address(spellings[2], "", "", invocation()),
      details(spellings[0], [["lat"], ["lon"]], null, null, invocation()),
      place(spellings[1], null, null, invocation()),
    ];
    const [loc, latitude, formatted, row, entity] = await drain<unknown>(cells);

    expect(loc).toEqual({ status: "fulfilled", value: [[expected.lat, expected.lon]] });
    expect(latitude).toEqual({ status: "fulfilled", value: expected.lat });
    // The fake's results carry a position only: the formatted address is an empty part.
    expect(formatted).toEqual({ status: "fulfilled", value: "" });
    expect(row).toEqual({ status: "fulfilled", value: [[expected.lat, expected.lon]] });
    expect(entity).toMatchObject({
      status: "fulfilled",
      value: { type: "Entity", properties: { Latitude: { basicValue: expected.lat } } },
    });
    expect(jobs()).toEqual([{ params: "", addresses: ["1 Baker St London"] }]);
    const cache = await opened.cache;
    expect(cache.stats().entries).toBe(1);
    expect(cache.get(cacheKeyOf(lookupKey(search("1 Baker St London"))))).toEqual(expected);
  });

  it("different option sets never share a job; equal ones ('FR, de' and 'de,fr') batch", async () => {
    await start();
    const cells = [
      lat("1 Baker St London", "FR, de", null, invocation()),
      lat("2 Baker St London", "de,fr", null, invocation()),
      lat("1 Baker St London", "de;fr;FR", "", invocation()),
      lat("1 Baker St London", null, null, invocation()),
      lat("1 Baker St London", null, "DE", invocation()),
      lat("1 Baker St London", "gb", null, invocation()),
    ];
    const outcomes = await drain<unknown>(cells);

    const value = answerFor("1 Baker St London")?.lat;
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(6).fill("fulfilled"));
    expect((outcomes[0] as PromiseFulfilledResult<number>).value).toBe(value);
    const byParams = new Map(jobs().map((job) => [job.params, job.addresses]));
    expect(jobs()).toHaveLength(4);
    expect(byParams).toEqual(
      new Map([
        ["filter=countrycode%3Ade%2Cfr", ["1 Baker St London", "2 Baker St London"]],
        ["", ["1 Baker St London"]],
        ["lang=de", ["1 Baker St London"]],
        ["filter=countrycode%3Agb", ["1 Baker St London"]],
      ])
    );
    expect((await opened.cache).stats().entries).toBe(5);
  });
});

describe("formula value preview", () => {
  it("answers only from the cache and sends nothing for an uncached address", async () => {
    await start();
    const preview = () => invocation({ isInValuePreview: true });
    const [missed] = await drain([lat("3 Baker St London", null, null, preview())], 10_000);
    const error = await cellErrorOf(missed);
    expect([error.code, error.message]).toEqual(["#N/A", "Press Enter to geocode"]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.requests).toEqual([]);

    await drain([lat("3 Baker St London", null, null, invocation())]);
    const requests = fake.requests.length;
    const [hit] = await drain([address("3 baker st london", null, null, preview())], 1_000);
    expect(hit).toEqual({ status: "fulfilled", value: "" });
    const [hitLat] = await drain([lat("3 Baker St London", null, null, preview())], 1_000);
    expect(hitLat).toEqual({ status: "fulfilled", value: answerFor("3 Baker St London")?.lat });
    expect(fake.requests).toHaveLength(requests);
  });
});

describe("the daily budget", () => {
  it("refuses the cells beyond it without sending them, and publishes the credits", async () => {
    // One credit: two batch addresses at half a credit each.
    const geocoder = await start({ settings: { dailyBudgetCredits: "1" } });
    const addresses = ["1 Baker St London", "2 Baker St London", "3 Baker St London"];
    const outcomes = await drain(addresses.map((text) => lat(text, null, null, invocation())));

    expect(outcomes.slice(0, 2)).toEqual(
      addresses.slice(0, 2).map((text) => ({ status: "fulfilled", value: answerFor(text)?.lat }))
    );
    const refused = await cellErrorOf(outcomes[2]);
    expect(refused.code).toBe("#VALUE!");
    expect(refused.message).toContain("budget of 1 credits");
    expect(jobs()).toEqual([{ params: "", addresses: addresses.slice(0, 2) }]);
    expect(telemetry.filter((event) => event.type === "credits")).toEqual([
      { type: "credits", day: expect.stringMatching(/^\d{4}-\d\d-\d\d$/), spent: 1, budget: 1 },
    ]);
    expect(telemetry).toContainEqual(
      expect.objectContaining({ type: "cell", fn: "LAT", ok: false, reason: "budget" })
    );

    // A recalculation is refused again, still without sending; the cached ones still answer.
    const again = await drain([
      lat(addresses[2], null, null, invocation()),
      lat(addresses[0], null, null, invocation()),
    ]);
    expect((await cellErrorOf(again[0])).message).toContain("budget of 1 credits");
    expect(again[1]).toEqual({ status: "fulfilled", value: answerFor(addresses[0])?.lat });
    expect(fake.submits).toHaveLength(1);
    expect(await settleWithoutTime(geocoder.creditsToday())).toMatchObject({
      spent: 1,
      budget: 1,
    });
  });
});
