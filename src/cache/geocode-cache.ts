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
// - Writes are read back at once, packed (place-slots.ts) in a task of their own, since a job's
//   thousand places take tens of milliseconds to pack and its cells must not wait for that (a
//   get() of one, or any other call, packs them first), and reach IndexedDB in one transaction
//   per flush. Timers exist only while there is something to do, so an idle cache runs nothing.
// - Beyond maxEntries the least recently used entry is evicted, from memory at once and from
//   IndexedDB in the next flush.
// - Without IndexedDB, or once it fails (open error, blocked, quota), the cache carries on in
//   memory with the same API and never throws at its callers.
//
// Whole places are kept (see place-codec.ts), so that every function of one lookup (LAT,
// ADDRESS, DETAILS, PLACE…) answers from one entry without buying the address again.

import { PlaceStore, type PersistedChange } from "./idb-store";
import {
  detailsOf,
  isCurrentRecord,
  parseRecord,
  type RecordContents,
  textBytes,
  toRecord,
} from "./place-codec";
import { PlaceSlots } from "./place-slots";
import {
  type CachedResult,
  type CacheLifetimes,
  defaultIndexedDB,
  type GeocodeCacheOptions,
  type GeocodeCacheStats,
  NOT_FOUND,
} from "./cache-options";

export { NOT_FOUND } from "./cache-options";
export type {
  CachedPlace,
  CachedResult,
  CacheLifetimes,
  GeocodeCacheOptions,
  GeocodeCacheStats,
} from "./cache-options";

const DAY_MS = 24 * 60 * 60 * 1000;

// Measured in Node 20 (V8, 64-bit) for 100,000 entries: a Map entry and a string's header come
// to about 56 bytes besides the key's characters.
const ENTRY_OVERHEAD_BYTES = 56;

export class GeocodeCache {
  private foundTtlMs = 30 * DAY_MS;
  private notFoundTtlMs = DAY_MS;
  private readonly maxEntries: number;
  private readonly flushDelayMs: number;
  private readonly now: () => number;

  // Key -> slot, in recency order: the first key is the least recently used. A hit deletes and
  // re-inserts its key, which moves it to the end.
  private readonly slotOf = new Map<string, number>();
  private readonly slots: PlaceSlots;
  private lruCursor: Iterator<[string, number]> | undefined;
  private keyBytes = 0;

  // Keys whose persisted state may differ from memory. A flush writes each key's current memory
  // state (or deletes it when memory no longer has it), so repeated sets, and a set followed by
  // an eviction, coalesce into one operation per key.
  private readonly dirty = new Set<string>();
  private store: PlaceStore | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private lastWrite: Promise<void> = Promise.resolve();

  // Writes not packed yet, in the order given, and whether one asked to be persisted at once.
  private readonly unpacked = new Map<string, { value: CachedResult; storedAt: number }>();
  private flushWhenPacked = false;
  private packTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(options: GeocodeCacheOptions) {
    this.setLifetimes(options);
    this.maxEntries = Math.max(1, options.maxEntries ?? 200_000);
    this.slots = new PlaceSlots(this.maxEntries);
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
    // Writes not packed yet are packed first if this is one, or if packing them may evict it.
    const pending = this.unpacked.size;
    if (pending > 0 && (this.unpacked.has(key) || this.slotOf.size + pending > this.maxEntries)) {
      this.packNow();
    }
    const slot = this.slotOf.get(key);
    if (slot === undefined) {
      return undefined;
    }
    if (this.isExpired(slot, this.now())) {
      this.remove(key, slot);
      this.scheduleFlush();
      return undefined;
    }
    this.slotOf.delete(key);
    this.slotOf.set(key, slot);
    // A fresh object per hit: callers may keep or change it without touching the cache.
    return this.slots.isFound(slot) ? this.slots.placeAt(slot) : NOT_FOUND;
  }

  /** Stores a result now and persists it with the next flush. */
  set(key: string, value: CachedResult): void {
    this.setMany([[key, value]]);
  }

  /**
   * set() for many entries: one clock reading and one flush for all of them. `flush`: persist
   * them as soon as they are packed rather than after the flush delay.
   */
  setMany(entries: Iterable<readonly [string, CachedResult]>, options?: { flush?: boolean }): void {
    const storedAt = this.now();
    for (const [key, value] of entries) {
      // Deleted first, so that a key written twice takes its place as the most recent write; a
      // copy, so that a caller changing the place later does not change what is cached.
      this.unpacked.delete(key);
      this.unpacked.set(key, { value: value === NOT_FOUND ? value : { ...value }, storedAt });
    }
    this.flushWhenPacked ||= options?.flush === true;
    this.packTimer ??= setTimeout(() => this.packNow(), 0);
  }

  /**
   * Forgets the given keys ("Forget selected"): from memory at once, from disk by the time the
   * promise resolves. Resolves how many of them held an answer (an expired entry held none).
   */
  async delete(keys: Iterable<string>): Promise<number> {
    this.packNow();
    const now = this.now();
    let forgotten = 0;
    for (const key of keys) {
      const slot = this.slotOf.get(key);
      if (slot !== undefined) {
        forgotten += this.isExpired(slot, now) ? 0 : 1;
        this.remove(key, slot);
      }
    }
    await this.flush();
    return forgotten;
  }

  /** Forgets everything, in memory at once and on disk by the time the promise resolves. */
  async clear(): Promise<void> {
    // Writes not packed yet go too: packNow() then finds none and only stops their timer.
    this.unpacked.clear();
    this.packNow();
    this.slotOf.clear();
    this.lruCursor = undefined;
    this.slots.clear();
    this.keyBytes = 0;
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
    this.packNow();
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
    this.packNow();
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
    this.packNow();
    const entries = this.slotOf.size;
    return {
      entries,
      found: this.slots.found,
      notFound: entries - this.slots.found,
      approxBytes: entries * ENTRY_OVERHEAD_BYTES + this.keyBytes + this.slots.approxBytes,
      storedBytes: this.store ? this.slots.storedBytes : 0,
    };
  }

  /**
   * Changes the lifetimes (a setting the user may change at any time); an omitted one stays.
   * They apply at once to every entry, stored before or after, since entries keep their storage
   * time rather than an expiry time. Throws a RangeError for a negative or non-finite lifetime.
   */
  setLifetimes({ foundTtlMs, notFoundTtlMs }: CacheLifetimes): void {
    for (const lifetime of [foundTtlMs, notFoundTtlMs]) {
      if (lifetime !== undefined && !(Number.isFinite(lifetime) && lifetime >= 0)) {
        throw new RangeError(`A cache lifetime must be 0 ms or more, not ${lifetime}`);
      }
    }
    this.foundTtlMs = foundTtlMs ?? this.foundTtlMs;
    this.notFoundTtlMs = notFoundTtlMs ?? this.notFoundTtlMs;
  }

  // Recency is not persisted on hits: that would turn every cached recalculation into a write
  // of every cell. Instead open() restores entries in the order they were stored, so after a
  // reload "least recently used" means "least recently fetched". Eviction only matters past
  // maxEntries, and an evicted entry costs one refetch.
  private load({ keys, records }: { keys: IDBValidKey[]; records: unknown[] }): void {
    const now = this.now();
    const live: Array<[string, RecordContents]> = [];
    keys.forEach((key, index) => {
      if (typeof key !== "string") {
        return;
      }
      const contents = parseRecord(records[index]);
      const isLive =
        contents && !this.hasExpired(!Number.isNaN(contents.lat), contents.storedAt, now);
      if (isLive) {
        live.push([key, contents]);
      }
      // The first flush deletes what is expired or unreadable, and rewrites older formats.
      if (!isLive || !isCurrentRecord(records[index])) {
        this.dirty.add(key);
      }
    });
    live.sort(([, a], [, b]) => a.storedAt - b.storedAt);
    this.slots.reserve(live.length);
    for (const [key, contents] of live) {
      this.insert(key, contents, false);
    }
  }

  private isExpired(slot: number, now: number): boolean {
    return this.hasExpired(this.slots.isFound(slot), this.slots.storedAtOf(slot), now);
  }

  private hasExpired(found: boolean, storedAt: number, now: number): boolean {
    return now - storedAt >= (found ? this.foundTtlMs : this.notFoundTtlMs);
  }

  /** Packs the writes not packed yet, and persists them now if one of them asked for it. */
  private packNow(): void {
    clearTimeout(this.packTimer);
    this.packTimer = undefined;
    const flush = this.flushWhenPacked;
    this.flushWhenPacked = false;
    if (this.unpacked.size === 0) return;
    for (const [key, { value, storedAt }] of this.unpacked) this.put(key, value, storedAt);
    this.unpacked.clear();
    if (flush) void this.flush();
    else this.scheduleFlush();
  }

  private put(key: string, value: CachedResult, storedAt: number): void {
    if (value === NOT_FOUND) {
      this.insert(key, { storedAt, lat: NaN, lon: NaN, values: [] }, true);
    } else if (Number.isFinite(value.lat) && Number.isFinite(value.lon)) {
      this.insert(
        key,
        { storedAt, lat: value.lat, lon: value.lon, values: detailsOf(value) },
        true
      );
    }
    // A "place" without finite coordinates is not a result; like an error, it is not cached.
  }

  /** `changed`: memory now differs from disk (false while loading what disk already holds). */
  private insert(key: string, contents: RecordContents, changed: boolean): void {
    let slot = this.slotOf.get(key);
    if (slot === undefined) {
      if (this.slotOf.size >= this.maxEntries) {
        this.evictLeastRecentlyUsed();
      }
      slot = this.slots.add(key, contents);
      this.keyBytes += textBytes(key);
    } else {
      // Deleted and set again to move the key to the recent end.
      this.slotOf.delete(key);
      this.slots.replace(key, slot, contents);
    }
    this.slotOf.set(key, slot);
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
    this.keyBytes -= textBytes(key);
    this.slots.free(key, slot);
    if (this.store) {
      this.dirty.add(key);
    }
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
    const changes = Array.from(this.dirty, (key): PersistedChange => {
      const slot = this.slotOf.get(key);
      return [key, slot === undefined ? undefined : toRecord(this.slots.contentsAt(slot))];
    });
    this.dirty.clear();
    return store.write(changes).catch(() => this.dropStore(store));
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
