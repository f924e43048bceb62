// GeoBatch as it ships: the runtime's Geocoder with its defaults (window, request scheduler, poll
// timing), a memory-only cache and job store, and settings that point at the emulator. Only the
// rate is set, and only where the case says so: the free plan's 5/s is the shipped default.

import { GeocodeCache } from "../../../src/cache/geocode-cache";
import { memoryJobStore } from "../../../src/geoapify/client";
import { cleanAddress, type LookupKind } from "../../../src/places/lookup";
import { Geocoder } from "../../../src/runtime/geocoder";
import { memoryStore, Settings, SETTING_KEYS } from "../../../src/settings/settings";
import { BENCH_API_KEY, type Strategy } from "./cell";

export interface GeoBatchSetup {
  /** Forward ("search", the default) or reverse lookups; a reverse cell holds "lat,lon". */
  kind?: LookupKind;
  /** Saved as the ratePerSecond setting; undefined keeps the shipped default (5, free plan). */
  ratePerSecond?: number;
}

export function geoBatchStrategy(baseUrl: string, setup: GeoBatchSetup = {}): Strategy {
  const { kind = "search", ratePerSecond } = setup;
  const saved: Record<string, string> = {
    [SETTING_KEYS.apiKey]: BENCH_API_KEY,
    [SETTING_KEYS.baseUrl]: baseUrl,
  };
  if (ratePerSecond !== undefined) saved[SETTING_KEYS.ratePerSecond] = String(ratePerSecond);
  const settings = new Settings({ store: memoryStore(saved) });
  // Under Node there is no IndexedDB: the cache and the job store live in memory only.
  const cache = GeocodeCache.open({ indexedDB: null });
  const geocoder = new Geocoder({ settings, cache, jobStore: Promise.resolve(memoryJobStore()) });
  return {
    locate: async (input) => {
      const place = await geocoder.lookup({
        kind,
        options: {},
        // The functions clean an address before they look it up; a reverse input is already
        // the rounded "lat,lon" that coordinateInput makes.
        input: kind === "search" ? cleanAddress(input) : input,
      });
      return place && { lat: place.lat, lon: place.lon, formatted: place.formatted };
    },
    close: () => geocoder.close(),
  };
}
