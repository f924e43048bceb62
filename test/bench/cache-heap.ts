// What a cache of many addresses costs in memory: the heap delta (plus the typed arrays that the
// cache keeps off the JS heap) after filling a fresh memory-only GeocodeCache, with full GCs
// before and after so that only what the cache retains is counted.

import { GeocodeCache } from "../../src/cache/geocode-cache";
import { addressKey } from "../../src/runtime/address";
import { collectGarbage } from "./gc";
import { benchAddress } from "./sheet";

export interface CacheHeap {
  entries: number;
  /** heapUsed delta: the Map, its keys (the address strings) and the cache object, bytes. */
  heapBytes: number;
  /** arrayBuffers delta: the cache's Float64Array slots, which live outside the JS heap. */
  arrayBufferBytes: number;
  /** The cache's own estimate (stats().approxBytes), to compare with. */
  estimatedBytes: number;
}

export async function measureCacheHeap(entries: number): Promise<CacheHeap> {
  collectGarbage();
  const before = process.memoryUsage();
  const cache = await GeocodeCache.open({ indexedDB: undefined });
  // Keys as the Geocoder makes them for Geoapify itself (no endpoint prefix), built inside the
  // measurement because the cache owns them: a cell's text is a different, lower-cased string.
  cache.setMany(
    (function* () {
      for (let i = 0; i < entries; i++) {
        yield [addressKey(benchAddress(i)), { lat: (i % 180) - 90 + 0.1234567, lon: 0.7654321 }];
      }
    })()
  );
  collectGarbage();
  const after = process.memoryUsage();
  // Read after the measurement, so the cache is certainly alive while it is measured.
  const stats = cache.stats();
  if (stats.entries !== entries) {
    throw new Error(`The cache holds ${stats.entries} entries after storing ${entries}`);
  }
  await cache.close();
  return {
    entries,
    heapBytes: after.heapUsed - before.heapUsed,
    arrayBufferBytes: after.arrayBuffers - before.arrayBuffers,
    estimatedBytes: stats.approxBytes,
  };
}
