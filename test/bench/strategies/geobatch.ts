// GeoBatch as it ships: the runtime's Geocoder with its defaults (window, jobs in flight, client
// polling), a memory-only cache, and settings that point at the emulator.

import { GeocodeCache } from "../../../src/cache/geocode-cache";
import { Geocoder, type GeocoderOptions } from "../../../src/runtime/geocoder";
import { memoryStore, Settings, SETTING_KEYS } from "../../../src/settings/settings";
import { BENCH_API_KEY, type Strategy } from "./cell";

/**
 * `tuning` exists only for the what-if rows, which are labelled as such; the measured GeoBatch
 * rows pass none.
 */
export function geoBatchStrategy(
  baseUrl: string,
  tuning: Pick<GeocoderOptions, "maxConcurrentJobs"> = {}
): Strategy {
  const settings = new Settings({
    store: memoryStore({ [SETTING_KEYS.apiKey]: BENCH_API_KEY, [SETTING_KEYS.baseUrl]: baseUrl }),
  });
  // Under Node there is no IndexedDB, so the cache lives in memory only.
  const cache = GeocodeCache.open({ indexedDB: undefined });
  const geocoder = new Geocoder({ settings, cache, ...tuning });
  return {
    locate: (address) => geocoder.locate(address),
    close: () => geocoder.close(),
  };
}
