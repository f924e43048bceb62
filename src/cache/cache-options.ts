// What a GeocodeCache holds, is given and reports: its values, its options with their defaults,
// and its stats.

import type { Place } from "../places/place";

/**
 * A cached "Geoapify found nothing". A symbol rather than null so that no caller can confuse it
 * with a miss (`undefined`) or with a place by accident, and so a `===` check reads as intent.
 */
export const NOT_FOUND: unique symbol = Symbol("GeoBatch.NOT_FOUND");

/** What the cache holds for a key. */
export type CachedResult = Place | typeof NOT_FOUND;

/** The name src/runtime uses for a cached place; a Place is what the cache keeps. */
export type CachedPlace = Place;

/** Lifetimes of cached answers, counted from when each was stored. */
export interface CacheLifetimes {
  /** How long a found place stays valid. Default 30 days. */
  foundTtlMs?: number;
  /** How long a not-found stays valid; short, because Geoapify's data improves. Default 1 day. */
  notFoundTtlMs?: number;
}

export interface GeocodeCacheOptions extends CacheLifetimes {
  /** IndexedDB database name. Default "geobatch". */
  dbName?: string;
  /** Most entries kept (at least 1); beyond it the least recently used go. Default 200,000. */
  maxEntries?: number;
  /** How long writes gather before one IndexedDB transaction stores them all. Default 250 ms. */
  flushDelayMs?: number;
  /** How long open() waits for IndexedDB before it continues in memory only. Default 5,000 ms. */
  openTimeoutMs?: number;
  /** Clock, in epoch milliseconds. Default Date.now. */
  now?: () => number;
  /** Where to persist. Default globalThis.indexedDB; `null` keeps the cache in memory only. */
  indexedDB?: IDBFactory | null;
}

/** What stats() reports. */
export interface GeocodeCacheStats {
  /** Entries held, including expired ones not looked up since (the next get or open drops them). */
  entries: number;
  found: number;
  notFound: number;
  /** Rough memory cost in bytes: keys, slot arrays, encoded details and shared text. */
  approxBytes: number;
  /** Rough IndexedDB cost of the entries in bytes, keys included; 0 when not persisting. */
  storedBytes: number;
}

// Reading globalThis.indexedDB itself throws a SecurityError in some sandboxed frames.
export function defaultIndexedDB(): IDBFactory | undefined {
  try {
    return globalThis.indexedDB;
  } catch {
    return undefined;
  }
}
