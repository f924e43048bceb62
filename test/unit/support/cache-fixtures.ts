// What the cache tests share: places, a hand-moved clock, caches closed after each test, a spy
// on IndexedDB writes and readers of the raw database.

import {
  IDBDatabase as FakeIDBDatabase,
  IDBObjectStore as FakeIDBObjectStore,
} from "fake-indexeddb";
import { afterEach, vi } from "vitest";
import { type GeocodeCacheOptions, GeocodeCache } from "../../../src/cache/geocode-cache";
import {
  type RecordContents,
  storedBytes,
  textBytes,
  toRecord,
} from "../../../src/cache/place-codec";
import type { Place } from "../../../src/places/place";

export const DAY_MS = 24 * 60 * 60 * 1000;

/** storedBytes of a record, its details packed afresh as toRecord writes them to disk. */
export function recordStoredBytes(key: string, contents: RecordContents): number {
  const packed = toRecord(contents)[4];
  return storedBytes(key, contents, typeof packed === "string" ? textBytes(packed) : 0);
}

/** A place with only a position, as a minimal Geoapify result gives. */
export const PARIS: Place = { lat: 48.8588897, lon: 2.320041 };
export const BERLIN: Place = { lat: 52.5170365, lon: 13.3888599 };

/**
 * A place with every field, shaped like Geoapify's example result, with text outside Latin-1,
 * control and quote characters, and numbers that float32 or a decimal round trip would change.
 */
export const FULL_PLACE: Required<Place> = {
  lat: 0.1 + 0.2,
  lon: -179.99999999999997,
  formatted: "Ул. Тверская 7, 125009 Москва, Россия",
  address_line1: "Ул. Тверская 7",
  address_line2: "125009 Москва, Россия",
  housenumber: "7",
  street: 'Ул. "Тверская"\\\n\u0000',
  suburb: "Тверской район",
  district: "Центральный административный округ",
  postcode: "125009",
  city: "Москва",
  county: "",
  state: "Москва",
  state_code: "MOW",
  country: "Россия",
  country_code: "ru",
  result_type: "building",
  confidence: 0.8733333333333333,
  confidence_city_level: 1,
  confidence_street_level: 1e-7,
  match_type: "full_match",
  timezone: "Europe/Moscow",
  plus_code: "9G7VMGHV+2X",
  place_id: "51c3b7a0d5f1c32a40599a9a5c4f1e424a40f00103f9".repeat(3),
  distance: 12.345678901234567,
  name: "東京タワー 🗼",
  category: "building.tourism",
  attribution: "© OpenStreetMap contributors",
};

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

/**
 * Opens caches that are closed after each test, so no flush timer outlives its test. Call at the
 * top level of a test file.
 */
export function useCaches(): (options?: GeocodeCacheOptions) => Promise<GeocodeCache> {
  const opened: GeocodeCache[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((cache) => cache.close()));
    vi.restoreAllMocks();
    vi.useRealTimers();
  });
  return async (options = {}) => {
    const cache = await GeocodeCache.open(options);
    opened.push(cache);
    return cache;
  };
}

/** Counts what reaches IndexedDB: read-write transactions and the puts inside them. */
export function spyOnWrites(): { readWriteTransactions: () => number; puts: () => number } {
  const transaction = vi.spyOn(FakeIDBDatabase.prototype, "transaction");
  const put = vi.spyOn(FakeIDBObjectStore.prototype, "put");
  return {
    readWriteTransactions: () =>
      transaction.mock.calls.filter(([, mode]) => mode === "readwrite").length,
    puts: () => put.mock.calls.length,
  };
}

/** Opens a database at `version`, running `upgrade` if it is new or older, and closes it. */
export function openDatabase(
  indexedDB: IDBFactory,
  version: number,
  upgrade: (db: IDBDatabase) => void = () => {}
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("geobatch", version);
    request.onupgradeneeded = () => upgrade(request.result);
    request.onsuccess = () => {
      request.result.close();
      resolve();
    };
    request.onerror = () => reject(request.error);
  });
}

/** Every key and record in the cache's object store, read straight from IndexedDB. */
export function readStore(indexedDB: IDBFactory): Promise<Map<string, unknown>> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("geobatch");
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const transaction = db.transaction("places", "readonly");
      const keys = transaction.objectStore("places").getAllKeys();
      const records = transaction.objectStore("places").getAll();
      transaction.oncomplete = () => {
        db.close();
        resolve(new Map(keys.result.map((key, index) => [String(key), records.result[index]])));
      };
    };
  });
}

/** Writes records straight into the cache's object store (which must exist). */
export function writeStore(indexedDB: IDBFactory, records: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("geobatch");
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const transaction = db.transaction("places", "readwrite");
      for (const [key, record] of Object.entries(records)) {
        transaction.objectStore("places").put(record, key);
      }
      transaction.oncomplete = () => {
        db.close();
        resolve();
      };
    };
  });
}
