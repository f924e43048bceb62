// What a cache of many places costs in memory: the heap delta (plus the typed arrays that the
// cache keeps off the JS heap) after filling a fresh memory-only GeocodeCache, with full GCs
// before and after so that only what the cache retains is counted.
//
// The cache keeps whole places, so the places are whole too, shaped as the cache tests' full
// place (test/unit/support/cache-fixtures.ts): every field a forward result carries, with the
// text unique to each place (formatted address, street, house number, postcode, place id, plus
// code) unique here too, and the text places share (city, state, country, time zone,
// attribution) drawn from a few cities, as in a customer list.

import { GeocodeCache } from "../../src/cache/geocode-cache";
import { cleanAddress, lookupKey } from "../../src/places/lookup";
import type { Place } from "../../src/places/place";
import { collectGarbage } from "./gc";
import { benchAddress } from "./sheet";

export interface CacheHeap {
  entries: number;
  /** heapUsed delta: the Map, its keys, the encoded places and the cache object, bytes. */
  heapBytes: number;
  /** arrayBuffers delta: the cache's Float64Array slots, which live outside the JS heap. */
  arrayBufferBytes: number;
  /** The cache's own estimate (stats().approxBytes), to compare with. */
  estimatedBytes: number;
  /** Characters of text per place, on average: what the figure depends on. */
  meanTextChars: number;
}

const CITIES = [
  { city: "Springfield", state: "Illinois", code: "IL", country: "United States", cc: "us" },
  { city: "München", state: "Bayern", code: "BY", country: "Deutschland", cc: "de" },
  { city: "Lyon", state: "Auvergne-Rhône-Alpes", code: "ARA", country: "France", cc: "fr" },
  { city: "Москва", state: "Москва", code: "MOW", country: "Россия", cc: "ru" },
];
const TIME_ZONES = ["America/Chicago", "Europe/Berlin", "Europe/Paris", "Europe/Moscow"];
/** Places per setMany, as one Geoapify job brings them. */
const JOB_SIZE = 1_000;

/** The place of bench address `index`, with every forward field. */
export function fullPlace(index: number): Place {
  const where = CITIES[index % CITIES.length];
  const housenumber = String(index + 1);
  const street = `Bench Street ${Math.floor(index / 100)}`;
  const postcode = String(10_000 + ((index * 37) % 89_999));
  const line2 = `${postcode} ${where.city}, ${where.state}, ${where.country}`;
  return {
    lat: (index % 170) - 85 + index / 1e6,
    lon: ((index * 7) % 360) - 180 + index / 1e7,
    formatted: `${housenumber} ${street}, ${line2}`,
    address_line1: `${housenumber} ${street}`,
    address_line2: line2,
    housenumber,
    street,
    suburb: `District ${index % 12}`,
    district: `Ward ${index % 40}`,
    postcode,
    city: where.city,
    county: `${where.city} County`,
    state: where.state,
    state_code: where.code,
    country: where.country,
    country_code: where.cc,
    result_type: "building",
    confidence: 0.5 + (index % 50) / 100,
    confidence_city_level: 1,
    confidence_street_level: 0.9,
    match_type: "full_match",
    timezone: TIME_ZONES[index % TIME_ZONES.length],
    plus_code: `8FWR${(index % 10_000).toString().padStart(4, "0")}+${index % 100}`,
    // Geoapify's place ids are about 130 hex digits.
    place_id: `51${index.toString(16).padStart(8, "0")}`.padEnd(130, "c0f00103f9"),
    attribution: "© OpenStreetMap contributors",
  };
}

export async function measureCacheHeap(entries: number): Promise<CacheHeap> {
  let textChars = 0;
  for (let i = 0; i < entries; i += Math.max(1, Math.floor(entries / 1000))) {
    for (const value of Object.values(fullPlace(i))) {
      if (typeof value === "string") textChars += value.length;
    }
  }
  const sampled = Math.ceil(entries / Math.max(1, Math.floor(entries / 1000)));
  collectGarbage();
  const before = process.memoryUsage();
  const cache = await GeocodeCache.open({ indexedDB: null });
  // Keys as the Geocoder makes them for Geoapify itself (no endpoint prefix), built inside the
  // measurement because the cache owns them: a cell's text is a different, lower-cased string.
  // Stored as the Geocoder stores them: a job's 1,000 answers at a time, each packed in a task of
  // its own before the next job's answers arrive.
  for (let from = 0; from < entries; from += JOB_SIZE) {
    const job: Array<[string, Place]> = [];
    for (let i = from; i < Math.min(entries, from + JOB_SIZE); i++) {
      const key = lookupKey({ kind: "search", options: {}, input: cleanAddress(benchAddress(i)) });
      job.push([key, fullPlace(i)]);
    }
    cache.setMany(job);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
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
    meanTextChars: textChars / sampled,
  };
}
