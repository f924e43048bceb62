// The geocode cache shared by every custom function in the runtime. Excel recalculates far more
// often than users expect (reopening the workbook, inserting a row, a full recalculation), and a
// recalculation of an unchanged sheet must cost no request and no waiting.
//
// Contract
// - open() loads everything persisted into memory once and never rejects; after that, get() is a
//   synchronous Map lookup, so a cache hit settles a cell without waiting for a batching window
//   or an IndexedDB transaction.
// - Values are a found place or NOT_FOUND; errors are never cached. Found places live
//   foundTtlMs, not-founds notFoundTtlMs, both counted from when they were stored.
// - Writes reach memory at once and IndexedDB in one transaction per flush. A flush timer exists
//   only while there is something to write, so an idle cache runs nothing.
// - Beyond maxEntries the least recently used entry is evicted, from memory at once and from
//   IndexedDB in the next flush.
// - Without IndexedDB, or once it fails (open error, blocked, quota), the cache carries on in
//   memory with the same API and never throws at its callers.
//
// Only lat/lon are kept, not Geoapify's `formatted` address: GEO.LOCATION returns coordinates,
// and a formatted address (around 60 characters) would more than double both the heap and the
// disk cost of every entry for a value no function reads.

import { PlaceStore, type PersistedChange, type PersistedRecord } from "./idb-store";

/** A found place: what GEO.LOCATION returns. */
export interface CachedPlace {
  lat: number;
  lon: number;
}

/**
 * A cached "Geoapify found nothing". A symbol rather than null so that no caller can confuse it
 * with a miss (`undefined`) or with a place by accident, and so a `===` check reads as intent.
 */
export const NOT_FOUND: unique symbol = Symbol("GeoBatch.NOT_FOUND");

/** What the cache holds for a key. */
export type CachedResult = CachedPlace | typeof NOT_FOUND;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface GeocodeCacheOptions {
  /** IndexedDB database name. Default "geobatch". */
  dbName?: string;
  /** How long a found place stays valid, from when it was stored. Default 30 days. */
  foundTtlMs?: number;
  /** How long a not-found stays valid; short, because Geoapify's data improves. Default 1 day. */
  notFoundTtlMs?: number;
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
  /** Rough memory cost in bytes: heap plus the off-heap slot arrays (see ENTRY_OVERHEAD_BYTES). */
  approxBytes: number;
}

// Memory layout. An object per entry costs a header, a shape pointer and boxed doubles; instead
// each entry owns a slot in three Float64Arrays (24 bytes, off the JS heap) and the Map only maps
// the key to its slot number, a small integer that needs no allocation. Doubles, not float32:
// float32 would move a point by up to a metre, and a cached recalculation must return exactly
// the numbers a fresh one did. A not-found is a slot whose latitude is NaN.
const SLOT_BYTES = 3 * Float64Array.BYTES_PER_ELEMENT;
const INITIAL_CAPACITY = 1024;
// Measured in Node 20 (V8, 64-bit) for 100,000 entries: a Map entry and a one-byte string's
// header come to about 56 bytes besides the key's characters. The estimate assumes one byte per
// character (Latin-1 keys); keys with other scripts take two.
const ENTRY_OVERHEAD_BYTES = 56;

export class GeocodeCache {
  private readonly foundTtlMs: number;
  private readonly notFoundTtlMs: number;
  private readonly maxEntries: number;
  private readonly flushDelayMs: number;
  private readonly now: () => number;

  // Key -> slot, in recency order: the first key is the least recently used. A hit deletes and
  // re-inserts its key, which moves it to the end.
  private readonly slotOf = new Map<string, number>();
  private storedAt = new Float64Array(0);
  private lat = new Float64Array(0);
  private lon = new Float64Array(0);
  private lruCursor: Iterator<[string, number]> | undefined;
  private freeSlots: number[] = [];
  private usedSlots = 0;
  private foundCount = 0;
  private keyChars = 0;

  // Keys whose persisted state may differ from memory. A flush writes each key's current memory
  // state (or deletes it when memory no longer has it), so repeated sets, and a set followed by
  // an eviction, coalesce into one operation per key.
  private readonly dirty = new Set<string>();
  private store: PlaceStore | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(options: GeocodeCacheOptions) {
    this.foundTtlMs = options.foundTtlMs ?? 30 * DAY_MS;
    this.notFoundTtlMs = options.notFoundTtlMs ?? DAY_MS;
    this.maxEntries = Math.max(1, options.maxEntries ?? 200_000);
    this.flushDelayMs = options.flushDelayMs ?? 250;
    this.now = options.now ?? Date.now;
  }

  /**
   * A ready cache, with everything persisted already in memory. Never rejects: when IndexedDB is
   * missing or fails, the cache works in memory only.
   */
  static async open(options: GeocodeCacheOptions = {}): Promise<GeocodeCache> {
    const cache = new GeocodeCache(options);
    const factory = options.indexedDB === undefined ? defaultIndexedDB() : options.indexedDB;
    if (factory) {
      const store = await PlaceStore.open(
        factory,
        options.dbName ?? "geobatch",
        options.openTimeoutMs ?? 5000
      );
      if (store) {
        cache.store = store;
        try {
          cache.load(await store.readAll());
          cache.scheduleFlush();
        } catch {
          cache.dropStore(store);
        }
      }
    }
    return cache;
  }

  /** The cached result, or `undefined` for a miss or an expired entry. */
  get(key: string): CachedResult | undefined {
    const slot = this.slotOf.get(key);
    if (slot === undefined) {
      return undefined;
    }
    const found = !Number.isNaN(this.lat[slot]);
    const ttlMs = found ? this.foundTtlMs : this.notFoundTtlMs;
    if (this.now() - this.storedAt[slot] >= ttlMs) {
      this.remove(key, slot);
      this.scheduleFlush();
      return undefined;
    }
    this.slotOf.delete(key);
    this.slotOf.set(key, slot);
    // A fresh object per hit: callers may keep or change it without touching the cache.
    return found ? { lat: this.lat[slot], lon: this.lon[slot] } : NOT_FOUND;
  }

  /** Stores a result now and persists it with the next flush. */
  set(key: string, value: CachedResult): void {
    this.put(key, value, this.now());
    this.scheduleFlush();
  }

  /** set() for many entries: one clock reading and one flush for all of them. */
  setMany(entries: Iterable<readonly [string, CachedResult]>): void {
    const storedAt = this.now();
    for (const [key, value] of entries) {
      this.put(key, value, storedAt);
    }
    this.scheduleFlush();
  }

  /** Forgets everything, in memory at once and on disk by the time the promise resolves. */
  async clear(): Promise<void> {
    this.slotOf.clear();
    this.lruCursor = undefined;
    this.storedAt = new Float64Array(0);
    this.lat = new Float64Array(0);
    this.lon = new Float64Array(0);
    this.freeSlots = [];
    this.usedSlots = 0;
    this.foundCount = 0;
    this.keyChars = 0;
    this.dirty.clear();
    this.cancelFlushTimer();
    const store = this.store;
    if (store) {
      // Queued behind any write already in flight, so nothing written before survives.
      this.lastWrite = store.clear().catch(() => this.dropStore(store));
    }
    await this.lastWrite;
  }

  /** Writes pending changes now; resolves when they (and all earlier writes) are on disk. */
  flush(): Promise<void> {
    this.cancelFlushTimer();
    if (this.store && this.dirty.size > 0) {
      this.lastWrite = this.writeDirty(this.store);
    }
    return this.lastWrite;
  }

  /**
   * Writes pending changes, stops the timer and closes the database. The cache keeps answering
   * from memory afterwards, but persists nothing more and starts no timer.
   */
  async close(): Promise<void> {
    this.cancelFlushTimer();
    const store = this.store;
    this.store = undefined;
    if (store) {
      if (this.dirty.size > 0) {
        this.lastWrite = this.writeDirty(store);
      }
      await this.lastWrite;
      store.close();
    }
  }

  stats(): GeocodeCacheStats {
    const entries = this.slotOf.size;
    return {
      entries,
      found: this.foundCount,
      notFound: entries - this.foundCount,
      approxBytes:
        entries * ENTRY_OVERHEAD_BYTES + this.keyChars + this.storedAt.length * SLOT_BYTES,
    };
  }

  // Recency is not persisted on hits: that would turn every cached recalculation into a write
  // of every cell. Instead open() restores entries in the order they were stored, so after a
  // reload "least recently used" means "least recently fetched". Eviction only matters past
  // maxEntries, and an evicted entry costs one refetch.
  private load({ keys, records }: { keys: IDBValidKey[]; records: unknown[] }): void {
    const now = this.now();
    const live: number[] = [];
    const stored: PersistedRecord[] = [];
    keys.forEach((key, index) => {
      if (typeof key !== "string") {
        return;
      }
      const record = records[index];
      if (isPersistedRecord(record) && !this.isExpired(record, now)) {
        live.push(index);
        stored[index] = record;
      } else {
        // Expired, or written by another version: delete it in the first flush.
        this.dirty.add(key);
      }
    });
    live.sort((a, b) => stored[a][0] - stored[b][0]);
    this.grow(Math.min(live.length, this.maxEntries));
    for (const index of live) {
      const record = stored[index];
      this.insert(keys[index] as string, record[0], record[1] ?? NaN, record[2] ?? NaN, false);
    }
  }

  private isExpired(record: PersistedRecord, now: number): boolean {
    const ttlMs = record.length === 1 ? this.notFoundTtlMs : this.foundTtlMs;
    return now - record[0] >= ttlMs;
  }

  private put(key: string, value: CachedResult, storedAt: number): void {
    if (value === NOT_FOUND) {
      this.insert(key, storedAt, NaN, NaN, true);
    } else if (Number.isFinite(value.lat) && Number.isFinite(value.lon)) {
      this.insert(key, storedAt, value.lat, value.lon, true);
    }
    // A "place" without finite coordinates is not a result; like an error, it is not cached.
  }

  /** `changed`: memory now differs from disk (false while loading what disk already holds). */
  private insert(key: string, storedAt: number, lat: number, lon: number, changed: boolean): void {
    let slot = this.slotOf.get(key);
    if (slot === undefined) {
      if (this.slotOf.size >= this.maxEntries) {
        this.evictLeastRecentlyUsed();
      }
      slot = this.allocateSlot();
      this.keyChars += key.length;
    } else {
      this.slotOf.delete(key);
      if (!Number.isNaN(this.lat[slot])) {
        this.foundCount--;
      }
    }
    this.slotOf.set(key, slot);
    this.storedAt[slot] = storedAt;
    this.lat[slot] = lat;
    this.lon[slot] = lon;
    if (!Number.isNaN(lat)) {
      this.foundCount++;
    }
    if (changed && this.store) {
      this.dirty.add(key);
    }
  }

  // One long-lived iterator rather than a fresh slotOf.keys() per eviction: V8 leaves a hole for
  // each deleted Map entry until its next rehash, and a fresh iterator walks past every hole at
  // the front, which made eviction at 200,000 entries about 16 times slower. A live iterator
  // stays at the front: everything before it was evicted, and hits and inserts land at the end.
  // It ends once the Map has been empty, so it is then started anew.
  private evictLeastRecentlyUsed(): void {
    let oldest = this.lruCursor?.next();
    if (!oldest || oldest.done) {
      this.lruCursor = this.slotOf.entries();
      oldest = this.lruCursor.next();
    }
    if (!oldest.done) {
      this.remove(...oldest.value);
    }
  }

  private remove(key: string, slot: number): void {
    this.slotOf.delete(key);
    this.keyChars -= key.length;
    if (!Number.isNaN(this.lat[slot])) {
      this.foundCount--;
    }
    this.freeSlots.push(slot);
    if (this.store) {
      this.dirty.add(key);
    }
  }

  private allocateSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) {
      return free;
    }
    if (this.usedSlots === this.storedAt.length) {
      this.grow(Math.min(this.maxEntries, Math.max(INITIAL_CAPACITY, this.usedSlots * 2)));
    }
    return this.usedSlots++;
  }

  private grow(capacity: number): void {
    if (capacity <= this.storedAt.length) {
      return;
    }
    this.storedAt = resized(this.storedAt, capacity);
    this.lat = resized(this.lat, capacity);
    this.lon = resized(this.lon, capacity);
  }

  private scheduleFlush(): void {
    if (this.store && this.dirty.size > 0 && this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        void this.flush();
      }, this.flushDelayMs);
    }
  }

  private cancelFlushTimer(): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
  }

  // Never rejects: a failed write leaves the cache in memory only (see dropStore).
  private writeDirty(store: PlaceStore): Promise<void> {
    const changes = Array.from(this.dirty, (key): PersistedChange => [key, this.recordOf(key)]);
    this.dirty.clear();
    return store.write(changes).catch(() => this.dropStore(store));
  }

  private recordOf(key: string): PersistedRecord | undefined {
    const slot = this.slotOf.get(key);
    if (slot === undefined) {
      return undefined;
    }
    const lat = this.lat[slot];
    return Number.isNaN(lat) ? [this.storedAt[slot]] : [this.storedAt[slot], lat, this.lon[slot]];
  }

  // A store that failed once (quota, a closed connection, a disk error) is abandoned for the
  // session rather than retried: memory still holds every entry, and the next open starts over.
  private dropStore(store: PlaceStore): void {
    store.close();
    if (this.store === store) {
      this.store = undefined;
      this.dirty.clear();
      this.cancelFlushTimer();
    }
  }
}

function resized(array: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(capacity);
  larger.set(array);
  return larger;
}

function isPersistedRecord(value: unknown): value is PersistedRecord {
  return (
    Array.isArray(value) &&
    (value.length === 1 || value.length === 3) &&
    value.every((part) => typeof part === "number" && Number.isFinite(part))
  );
}

// Reading globalThis.indexedDB itself throws a SecurityError in some sandboxed frames.
function defaultIndexedDB(): IDBFactory | undefined {
  try {
    return globalThis.indexedDB;
  } catch {
    return undefined;
  }
}
