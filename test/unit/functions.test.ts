// GEO.LOCATION as Excel calls it: once per cell, with a stand-in CustomFunctions global, through
// the real geocoder, batcher, cache and client, against the Geoapify emulator over loopback HTTP.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GeocodeCache } from "../../src/cache/geocode-cache";
import { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { Geocoder } from "../../src/runtime/geocoder";
import { memoryStore, Settings, SETTING_KEYS } from "../../src/settings/settings";
import { CellError, installCustomFunctionsStandIn, invocation } from "./custom-functions-stand-in";

const runtime = vi.hoisted(() => ({ geocoder: undefined as unknown }));
vi.mock("../../src/runtime/runtime", () => ({
  get geocoder() {
    return runtime.geocoder;
  },
}));

installCustomFunctionsStandIn();
const { location } = await import("../../src/functions/functions");

const API_KEY = "test-key-7f3a9c";
const emulator = new GeoapifyEmulator({ jobBaseMs: 20, jobPerAddressMs: 0 });
let emulatorUrl = "";

function geocoderWith(store: Record<string, string>): Geocoder {
  return new Geocoder({
    settings: new Settings({ store: memoryStore(store) }),
    cache: GeocodeCache.open({ indexedDB: null }),
    windowMs: 20,
    client: { pollInitialDelayMs: 10, retryBaseDelayMs: 5 },
  });
}

async function cellError(result: Promise<unknown>): Promise<CellError> {
  const error = await result.then(
    () => undefined,
    (reason: unknown) => reason
  );
  expect(error).toBeInstanceOf(CellError);
  return error as CellError;
}

beforeAll(async () => {
  emulatorUrl = await emulator.listen(0, "127.0.0.1");
});
afterAll(() => emulator.close());

let geocoder: Geocoder;
beforeEach(() => {
  emulator.reset();
  geocoder = geocoderWith({ [SETTING_KEYS.apiKey]: API_KEY, [SETTING_KEYS.baseUrl]: emulatorUrl });
  runtime.geocoder = geocoder;
});
afterEach(() => geocoder.close());

describe("GEO.LOCATION", () => {
  it("returns [[lat, lon]] for a known address", async () => {
    const [[lat, lon]] = await location("11 Wall Street New York", invocation());
    // The New York Stock Exchange, 11 Wall Street.
    expect(lat).toBeCloseTo(40.7069, 2);
    expect(lon).toBeCloseTo(-74.0113, 2);
  });

  it("sends the cells of one recalculation as one job, each distinct address once", async () => {
    const cells = [
      "11 Wall Street New York",
      "  11 wall  street NEW york ",
      "221B Baker St London",
    ];
    const results = await Promise.all(cells.map((address) => location(address, invocation())));
    expect(results[0]).toEqual(results[1]);
    expect(emulator.counts().submit).toBe(1);
    expect(emulator.jobsSubmitted()).toEqual([["11 Wall Street New York", "221B Baker St London"]]);
  });

  it("answers a second recalculation from the cache, with no request", async () => {
    const first = await location("350 Fifth Avenue New York", invocation());
    const requests = emulator.counts().total;
    expect(await location("350 fifth avenue new york", invocation())).toEqual(first);
    expect(emulator.counts().total).toBe(requests);
  });

  it("gives #N/A with the address when Geoapify finds nothing", async () => {
    const error = await cellError(location("Atlantis Nowhere", invocation()));
    expect(error.code).toBe("#N/A");
    expect(error.message).toBe('No match for "Atlantis Nowhere"');
  });

  it.each([
    ["an empty cell", null, "empty"],
    ["empty text", "", "empty"],
    ["blank text", "   ", "blank"],
    ["a number", 42, "text"],
    ["text over 1,000 characters", "9 Long Road ".repeat(100), "1,000"],
  ])("gives #VALUE! for %s, with no request", async (_, address, words) => {
    const error = await cellError(location(address, invocation()));
    expect(error.code).toBe("#VALUE!");
    expect(error.message).toContain(words);
    expect(emulator.counts().total).toBe(0);
  });

  it("asks for the API key when none is saved, and sends nothing", async () => {
    runtime.geocoder = geocoderWith({});
    const error = await cellError(location("11 Wall Street New York", invocation()));
    expect(error.code).toBe("#VALUE!");
    expect(error.message).toBe("Set your Geoapify API key in the GeoBatch pane");
    expect(emulator.counts().total).toBe(0);
    await (runtime.geocoder as Geocoder).close();
  });

  it("says the key was rejected, without showing it", async () => {
    const rejecting = new GeoapifyEmulator({ invalidKeys: [API_KEY] });
    const url = await rejecting.listen(0, "127.0.0.1");
    runtime.geocoder = geocoderWith({
      [SETTING_KEYS.apiKey]: API_KEY,
      [SETTING_KEYS.baseUrl]: url,
    });
    try {
      const error = await cellError(location("11 Wall Street New York", invocation()));
      expect(error.code).toBe("#VALUE!");
      expect(error.message).toContain("rejected the API key");
      expect(error.message).not.toContain(API_KEY);
    } finally {
      await (runtime.geocoder as Geocoder).close();
      await rejecting.close();
    }
  });

  it("does not send an address whose only cell was cancelled before dispatch", async () => {
    const cancelled = invocation();
    const dropped = cellError(location("4059 Mt Lee Dr Hollywood", cancelled));
    const kept = location("Buckingham Palace London", invocation());
    // Excel cancels once the call has been made; the address is queued by then.
    await new Promise((resolve) => setTimeout(resolve, 5));
    cancelled.cancel();
    expect(await kept).toHaveLength(1);
    // The cancelled call still settles, so nothing is left pending in the runtime.
    expect((await dropped).code).toBe("#N/A");
    expect(emulator.jobsSubmitted()).toEqual([["Buckingham Palace London"]]);
  });

  it("settles every cell with #N/A when Geoapify keeps failing", async () => {
    emulator.inject(
      ...Array.from({ length: 10 }, () => ({
        on: "submit" as const,
        response: { status: 503 as const },
      }))
    );
    const error = await cellError(location("2 Macquarie Street Sydney", invocation()));
    expect(error.code).toBe("#N/A");
    expect(error.message).not.toContain(API_KEY);
  });

  it("fails fast with #N/A once the daily quota is exhausted, without asking again", async () => {
    emulator.set({ quotaExhausted: true });
    const first = await cellError(location("11 Wall Street New York", invocation()));
    expect(first.code).toBe("#N/A");
    expect(first.message).toBe("Geoapify daily quota exhausted — try again later");
    const requests = emulator.counts().total;
    const second = await cellError(location("350 Fifth Avenue New York", invocation()));
    expect(second.message).toBe(first.message);
    expect(emulator.counts().total).toBe(requests);
  });

  it("settles pending cells when the runtime stops", async () => {
    const pending = location("Manger Square Bethlehem", invocation());
    await geocoder.close();
    const error = await cellError(pending);
    expect(error.message).toBe("GeoBatch was stopped");
  });
});
