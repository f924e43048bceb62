import {
  IDBDatabase as FakeIDBDatabase,
  IDBFactory as FakeIDBFactory,
  IDBObjectStore as FakeIDBObjectStore,
} from "fake-indexeddb";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type CachedResult,
  type GeocodeCacheOptions,
  GeocodeCache,
  NOT_FOUND,
} from "../../src/cache/geocode-cache";

const DAY_MS = 24 * 60 * 60 * 1000;
const PARIS = { lat: 48.8588897, lon: 2.320041 };
const BERLIN = { lat: 52.5170365, lon: 13.3888599 };

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

// Every cache a test opens is closed afterwards, so no flush timer outlives its test.
const opened: GeocodeCache[] = [];
async function openCache(options: GeocodeCacheOptions = {}): Promise<GeocodeCache> {
  const cache = await GeocodeCache.open(options);
  opened.push(cache);
  return cache;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((cache) => cache.close()));
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** Counts what reaches IndexedDB: read-write transactions and the puts inside them. */
function spyOnWrites(): { readWriteTransactions: () => number; puts: () => number } {
  const transaction = vi.spyOn(FakeIDBDatabase.prototype, "transaction");
  const put = vi.spyOn(FakeIDBObjectStore.prototype, "put");
  return {
    readWriteTransactions: () =>
      transaction.mock.calls.filter(([, mode]) => mode === "readwrite").length,
    puts: () => put.mock.calls.length,
  };
}

describe("GeocodeCache lookups", () => {
  it("returns what was stored and undefined for a key never stored", async () => {
    const cache = await openCache({ indexedDB: new FakeIDBFactory() });
    cache.set("paris", PARIS);

    expect(cache.get("paris")).toEqual(PARIS);
    expect(cache.get("berlin")).toBeUndefined();
  });

  it("keeps exact coordinates (no float32 rounding)", async () => {
    const cache = await openCache({ indexedDB: null });
    const precise = { lat: 0.1 + 0.2, lon: -179.99999999999997 };
    cache.set("precise", precise);

    expect(cache.get("precise")).toEqual(precise);
  });

  it("tells a cached not-found apart from a miss", async () => {
    const cache = await openCache({ indexedDB: new FakeIDBFactory() });
    cache.set("nowhere", NOT_FOUND);

    expect(cache.get("nowhere")).toBe(NOT_FOUND);
    expect(cache.get("never asked")).toBeUndefined();
  });

  it("hands out copies, so a caller changing a result does not change the cache", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.set("paris", PARIS);
    const first = cache.get("paris") as { lat: number; lon: number };
    first.lat = 0;

    expect(cache.get("paris")).toEqual(PARIS);
  });

  it("replaces a value stored under the same key", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.set("place", PARIS);
    cache.set("place", NOT_FOUND);

    expect(cache.get("place")).toBe(NOT_FOUND);
    expect(cache.stats()).toMatchObject({ entries: 1, found: 0, notFound: 1 });
  });

  it("does not cache a place without finite coordinates", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.set("broken", { lat: Number.NaN, lon: 2 });

    expect(cache.get("broken")).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
  });

  it("stores every entry of setMany", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.setMany([
      ["paris", PARIS],
      ["berlin", BERLIN],
      ["nowhere", NOT_FOUND],
    ]);

    expect([cache.get("paris"), cache.get("berlin"), cache.get("nowhere")]).toEqual([
      PARIS,
      BERLIN,
      NOT_FOUND,
    ]);
  });

  it("counts entries by kind and estimates bytes growing with the entries", async () => {
    const cache = await openCache({ indexedDB: null });
    expect(cache.stats()).toEqual({ entries: 0, found: 0, notFound: 0, approxBytes: 0 });

    cache.setMany([
      ["paris", PARIS],
      ["berlin", BERLIN],
      ["nowhere", NOT_FOUND],
    ]);
    const small = cache.stats();
    cache.setMany(Array.from({ length: 2000 }, (_, i): [string, CachedResult] => [`k${i}`, PARIS]));

    expect(small).toMatchObject({ entries: 3, found: 2, notFound: 1 });
    expect(small.approxBytes).toBeGreaterThan(0);
    expect(cache.stats().approxBytes).toBeGreaterThan(small.approxBytes);
  });
});

describe("GeocodeCache persistence", () => {
  it("survives close and reopen with the same database", async () => {
    const indexedDB = new FakeIDBFactory();
    const first = await openCache({ indexedDB, dbName: "book" });
    first.setMany([
      ["paris", PARIS],
      ["nowhere", NOT_FOUND],
    ]);
    await first.close();

    const second = await openCache({ indexedDB, dbName: "book" });
    expect(second.get("paris")).toEqual(PARIS);
    expect(second.get("nowhere")).toBe(NOT_FOUND);
    expect(second.stats()).toMatchObject({ entries: 2, found: 1, notFound: 1 });
  });

  it("keeps databases of different names apart", async () => {
    const indexedDB = new FakeIDBFactory();
    const first = await openCache({ indexedDB, dbName: "one" });
    first.set("paris", PARIS);
    await first.close();

    const other = await openCache({ indexedDB, dbName: "two" });
    expect(other.get("paris")).toBeUndefined();
  });

  it("persists the latest value of a key", async () => {
    const indexedDB = new FakeIDBFactory();
    const first = await openCache({ indexedDB });
    first.set("place", PARIS);
    await first.flush();
    first.set("place", BERLIN);
    await first.close();

    const second = await openCache({ indexedDB });
    expect(second.get("place")).toEqual(BERLIN);
  });

  it("writes 1,000 sets in one transaction, and repeated sets of a key as one put", async () => {
    const writes = spyOnWrites();
    const cache = await openCache({ indexedDB: new FakeIDBFactory() });
    for (let i = 0; i < 1000; i++) {
      cache.set(`address ${i}`, PARIS);
    }
    for (let i = 0; i < 10; i++) {
      cache.set("address 0", BERLIN);
    }
    await cache.flush();

    expect(writes.readWriteTransactions()).toBe(1);
    expect(writes.puts()).toBe(1000);
  });

  it("flushes on its own after flushDelayMs with a single timer, and keeps none when idle", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const writes = spyOnWrites();
    const indexedDB = new FakeIDBFactory();
    const cache = await openCache({ indexedDB, flushDelayMs: 250 });
    expect(vi.getTimerCount()).toBe(0);

    for (let i = 0; i < 1000; i++) {
      cache.set(`address ${i}`, PARIS);
    }
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(249);
    expect(writes.readWriteTransactions()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(writes.readWriteTransactions()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);

    // Hits write nothing, so they schedule nothing.
    cache.get("address 1");
    expect(vi.getTimerCount()).toBe(0);

    await cache.flush();
    const reopened = await openCache({ indexedDB });
    expect(reopened.stats().entries).toBe(1000);
  });

  it("close() writes pending changes and leaves no timer behind", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const indexedDB = new FakeIDBFactory();
    const cache = await openCache({ indexedDB, flushDelayMs: 60_000 });
    cache.set("paris", PARIS);
    expect(vi.getTimerCount()).toBe(1);

    await cache.close();
    expect(vi.getTimerCount()).toBe(0);
    // Still answers from memory, but no longer schedules writes.
    cache.set("berlin", BERLIN);
    expect(cache.get("berlin")).toEqual(BERLIN);
    expect(vi.getTimerCount()).toBe(0);

    const reopened = await openCache({ indexedDB });
    expect(reopened.get("paris")).toEqual(PARIS);
    expect(reopened.get("berlin")).toBeUndefined();
  });

  it("clear() empties memory and disk, including writes not yet flushed", async () => {
    const indexedDB = new FakeIDBFactory();
    const cache = await openCache({ indexedDB });
    cache.set("paris", PARIS);
    await cache.flush();
    cache.set("berlin", BERLIN);

    await cache.clear();
    expect(cache.get("paris")).toBeUndefined();
    expect(cache.get("berlin")).toBeUndefined();
    expect(cache.stats()).toEqual({ entries: 0, found: 0, notFound: 0, approxBytes: 0 });
    await cache.close();

    const reopened = await openCache({ indexedDB });
    expect(reopened.stats().entries).toBe(0);
  });

  it("keeps working, and persisting, after clear()", async () => {
    const indexedDB = new FakeIDBFactory();
    const cache = await openCache({ indexedDB, maxEntries: 2 });
    cache.setMany([
      ["a", PARIS],
      ["b", PARIS],
      ["c", PARIS],
    ]);
    await cache.clear();
    cache.setMany([
      ["d", BERLIN],
      ["e", BERLIN],
      ["f", BERLIN],
    ]);
    await cache.close();

    const reopened = await openCache({ indexedDB });
    expect(["a", "b", "c", "d", "e", "f"].map((key) => reopened.get(key))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      BERLIN,
      BERLIN,
    ]);
  });
});

describe("GeocodeCache expiry", () => {
  it("expires found places after foundTtlMs and not-founds after notFoundTtlMs", async () => {
    const clock = manualClock();
    const cache = await openCache({ indexedDB: null, now: clock.now });
    cache.set("paris", PARIS);
    cache.set("nowhere", NOT_FOUND);

    clock.advance(DAY_MS - 1);
    expect(cache.get("nowhere")).toBe(NOT_FOUND);
    clock.advance(1);
    expect(cache.get("nowhere")).toBeUndefined();
    expect(cache.get("paris")).toEqual(PARIS);

    clock.advance(29 * DAY_MS - 1);
    expect(cache.get("paris")).toEqual(PARIS);
    clock.advance(1);
    expect(cache.get("paris")).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
  });

  it("honours custom TTLs", async () => {
    const clock = manualClock();
    const cache = await openCache({
      indexedDB: null,
      now: clock.now,
      foundTtlMs: 1000,
      notFoundTtlMs: 100,
    });
    cache.set("paris", PARIS);
    cache.set("nowhere", NOT_FOUND);

    clock.advance(100);
    expect([cache.get("paris"), cache.get("nowhere")]).toEqual([PARIS, undefined]);
    clock.advance(900);
    expect(cache.get("paris")).toBeUndefined();
  });

  it("restarts the TTL when a key is stored again", async () => {
    const clock = manualClock();
    const cache = await openCache({ indexedDB: null, now: clock.now, foundTtlMs: 1000 });
    cache.set("paris", PARIS);
    clock.advance(600);
    cache.set("paris", PARIS);
    clock.advance(600);

    expect(cache.get("paris")).toEqual(PARIS);
  });

  it("measures age from when an entry was stored, across reopen", async () => {
    const clock = manualClock();
    const indexedDB = new FakeIDBFactory();
    const first = await openCache({ indexedDB, now: clock.now });
    first.set("paris", PARIS);
    first.set("nowhere", NOT_FOUND);
    await first.close();

    clock.advance(DAY_MS);
    const second = await openCache({ indexedDB, now: clock.now });
    expect(second.get("paris")).toEqual(PARIS);
    expect(second.get("nowhere")).toBeUndefined();
    await second.close();

    clock.advance(29 * DAY_MS);
    const third = await openCache({ indexedDB, now: clock.now });
    expect(third.stats().entries).toBe(0);
  });

  it("deletes expired entries from disk once it has seen them expire", async () => {
    const clock = manualClock();
    const indexedDB = new FakeIDBFactory();
    const first = await openCache({ indexedDB, now: clock.now, notFoundTtlMs: 1000 });
    first.set("nowhere", NOT_FOUND);
    await first.close();

    // Opened after expiry: the entry is dropped on load and deleted by the next flush.
    clock.advance(1000);
    const second = await openCache({ indexedDB, now: clock.now, notFoundTtlMs: 1000 });
    await second.close();

    // A longer TTL would have kept it, had it still been on disk.
    const third = await openCache({ indexedDB, now: clock.now, notFoundTtlMs: DAY_MS });
    expect(third.get("nowhere")).toBeUndefined();
  });
});

describe("GeocodeCache eviction", () => {
  it("evicts the least recently used entry beyond maxEntries", async () => {
    const cache = await openCache({ indexedDB: null, maxEntries: 3 });
    cache.set("a", PARIS);
    cache.set("b", PARIS);
    cache.set("c", PARIS);
    cache.get("a");
    cache.set("d", PARIS);

    expect(cache.get("b")).toBeUndefined();
    expect(cache.stats().entries).toBe(3);
    cache.set("e", PARIS);
    expect(cache.get("c")).toBeUndefined();
    expect(["a", "d", "e"].map((key) => cache.get(key))).toEqual([PARIS, PARIS, PARIS]);
  });

  it("evicts in order over many rounds of hits and inserts", async () => {
    const maxEntries = 50;
    const cache = await openCache({ indexedDB: null, maxEntries });
    // A reference LRU: an array, most recently used last.
    const reference: string[] = [];
    for (let i = 0; i < 500; i++) {
      const key = `k${i}`;
      cache.set(key, PARIS);
      reference.push(key);
      if (reference.length > maxEntries) {
        reference.shift();
      }
      // Touch an older key every other round to move it to the recent end.
      if (i % 2 === 0) {
        const touched = reference[i % reference.length];
        expect(cache.get(touched)).toEqual(PARIS);
        reference.splice(reference.indexOf(touched), 1);
        reference.push(touched);
      }
    }

    const held = Array.from({ length: 500 }, (_, i) => `k${i}`).filter(
      (key) => cache.get(key) !== undefined
    );
    expect(held.sort()).toEqual([...reference].sort());
  });

  it("deletes evicted entries from disk", async () => {
    const indexedDB = new FakeIDBFactory();
    const first = await openCache({ indexedDB, maxEntries: 2 });
    first.set("a", PARIS);
    await first.flush();
    first.set("b", PARIS);
    first.set("c", PARIS);
    await first.close();

    const second = await openCache({ indexedDB, maxEntries: 10 });
    expect(["a", "b", "c"].map((key) => second.get(key))).toEqual([undefined, PARIS, PARIS]);
  });

  it("after reopen, treats the least recently stored entry as least recently used", async () => {
    const clock = manualClock();
    const indexedDB = new FakeIDBFactory();
    const first = await openCache({ indexedDB, now: clock.now, maxEntries: 3 });
    // Stored in the order c, a, b, so key order and store order differ.
    for (const key of ["c", "a", "b"]) {
      first.set(key, PARIS);
      clock.advance(1);
    }
    await first.close();

    const second = await openCache({ indexedDB, now: clock.now, maxEntries: 3 });
    second.set("d", PARIS);
    expect(second.get("c")).toBeUndefined();
    second.set("e", PARIS);
    expect(second.get("a")).toBeUndefined();
    expect(["b", "d", "e"].map((key) => second.get(key))).toEqual([PARIS, PARIS, PARIS]);
    await second.close();

    // The evictions reached the disk too.
    const third = await openCache({ indexedDB, now: clock.now, maxEntries: 10 });
    expect(third.stats().entries).toBe(3);
    expect(third.get("c")).toBeUndefined();
  });

  it("keeps only the newest maxEntries when reopened with a smaller limit", async () => {
    const clock = manualClock();
    const indexedDB = new FakeIDBFactory();
    const first = await openCache({ indexedDB, now: clock.now });
    for (const key of ["e", "d", "c", "b", "a"]) {
      first.set(key, PARIS);
      clock.advance(1);
    }
    await first.close();

    const second = await openCache({ indexedDB, now: clock.now, maxEntries: 2 });
    expect(second.stats().entries).toBe(2);
    expect(["b", "a"].map((key) => second.get(key))).toEqual([PARIS, PARIS]);
    await second.close();

    const third = await openCache({ indexedDB, now: clock.now });
    expect(third.stats().entries).toBe(2);
  });
});

describe("GeocodeCache without working IndexedDB", () => {
  it("works in memory only when no IndexedDB exists", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    expect(globalThis.indexedDB).toBeUndefined();
    const cache = await openCache();
    cache.set("paris", PARIS);
    cache.set("nowhere", NOT_FOUND);

    expect(cache.get("paris")).toEqual(PARIS);
    expect(cache.get("nowhere")).toBe(NOT_FOUND);
    // Nothing to persist, so nothing scheduled.
    expect(vi.getTimerCount()).toBe(0);
    await expect(cache.flush()).resolves.toBeUndefined();
    await expect(cache.clear()).resolves.toBeUndefined();
    expect(cache.get("paris")).toBeUndefined();
  });

  it("works in memory only when indexedDB is null", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.set("paris", PARIS);
    expect(cache.get("paris")).toEqual(PARIS);
  });

  it("works in memory when open() throws", async () => {
    const refusing = {
      open: () => {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    } as unknown as IDBFactory;
    const cache = await openCache({ indexedDB: refusing });
    cache.set("paris", PARIS);

    expect(cache.get("paris")).toEqual(PARIS);
    await expect(cache.close()).resolves.toBeUndefined();
  });

  it("works in memory when the open request fails", async () => {
    const indexedDB = new FakeIDBFactory();
    // A newer version of the database makes our open fail with a VersionError.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open("geobatch", 99);
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });

    const cache = await openCache({ indexedDB });
    cache.set("paris", PARIS);
    expect(cache.get("paris")).toEqual(PARIS);
    await expect(cache.flush()).resolves.toBeUndefined();
  });

  it("works in memory when the open request never answers", async () => {
    const silent = { open: () => ({}) } as unknown as IDBFactory;
    const cache = await openCache({ indexedDB: silent, openTimeoutMs: 20 });
    cache.set("paris", PARIS);

    expect(cache.get("paris")).toEqual(PARIS);
  });

  it("works in memory when the database lacks the cache's store", async () => {
    const indexedDB = new FakeIDBFactory();
    await new Promise<void>((resolve) => {
      const request = indexedDB.open("geobatch", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("something else");
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
    });

    const cache = await openCache({ indexedDB });
    cache.set("paris", PARIS);
    await cache.flush();
    expect(cache.get("paris")).toEqual(PARIS);
  });

  it("falls back to memory when a write fails, without throwing", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const indexedDB = new FakeIDBFactory();
    const cache = await openCache({ indexedDB });
    // Every put aborts its transaction, as a QuotaExceededError would.
    const put = FakeIDBObjectStore.prototype.put;
    vi.spyOn(FakeIDBObjectStore.prototype, "put").mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore["put"]>
    ) {
      const request = put.apply(this, args);
      this.transaction.abort();
      return request;
    });

    cache.set("paris", PARIS);
    await expect(cache.flush()).resolves.toBeUndefined();
    expect(cache.get("paris")).toEqual(PARIS);

    // Memory only from now on: no more timers, no more writes.
    cache.set("berlin", BERLIN);
    expect(vi.getTimerCount()).toBe(0);
    expect(cache.get("berlin")).toEqual(BERLIN);
    await expect(cache.clear()).resolves.toBeUndefined();
    await expect(cache.close()).resolves.toBeUndefined();
  });
});
