// The geocode cache's lifetimes (fixed and changed at run time) and its size limit.

import { IDBFactory as FakeIDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { NOT_FOUND } from "../../src/cache/geocode-cache";
import {
  DAY_MS,
  FULL_PLACE,
  manualClock,
  PARIS,
  readStore,
  useCaches,
} from "./support/cache-fixtures";

const openCache = useCaches();

describe("GeocodeCache expiry", () => {
  it("expires found places after 30 days and not-founds after 1 day by default", async () => {
    const clock = manualClock();
    const cache = await openCache({ indexedDB: null, now: clock.now });
    cache.set("paris", FULL_PLACE);
    cache.set("nowhere", NOT_FOUND);

    clock.advance(DAY_MS - 1);
    expect(cache.get("nowhere")).toBe(NOT_FOUND);
    clock.advance(1);
    expect(cache.get("nowhere")).toBeUndefined();
    expect(cache.get("paris")).toStrictEqual(FULL_PLACE);

    clock.advance(29 * DAY_MS - 1);
    expect(cache.get("paris")).toStrictEqual(FULL_PLACE);
    clock.advance(1);
    expect(cache.get("paris")).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 0, found: 0, notFound: 0 });
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

  it("applies lifetimes changed at run time to entries stored before", async () => {
    const clock = manualClock();
    const cache = await openCache({ indexedDB: null, now: clock.now });
    cache.setMany([
      ["a", PARIS],
      ["b", PARIS],
      ["nowhere", NOT_FOUND],
    ]);
    clock.advance(2 * DAY_MS);

    // Longer: a not-found two days old is valid again under a week's lifetime.
    cache.setLifetimes({ notFoundTtlMs: 7 * DAY_MS });
    expect(cache.get("nowhere")).toBe(NOT_FOUND);
    // Shorter: a place two days old is gone under a one-day lifetime; the other setting stays.
    cache.setLifetimes({ foundTtlMs: DAY_MS });
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("nowhere")).toBe(NOT_FOUND);
    // Zero keeps nothing, even what was stored just now.
    cache.setLifetimes({ foundTtlMs: 0 });
    cache.set("c", PARIS);
    expect(cache.get("c")).toBeUndefined();
    expect(cache.get("b")).toBeUndefined();
  });

  it("refuses a negative or non-finite lifetime and keeps the previous one", async () => {
    const clock = manualClock();
    const cache = await openCache({ indexedDB: null, now: clock.now, foundTtlMs: 1000 });
    cache.set("paris", PARIS);

    expect(() => cache.setLifetimes({ foundTtlMs: -1 })).toThrow(RangeError);
    expect(() => cache.setLifetimes({ notFoundTtlMs: Number.NaN })).toThrow(RangeError);
    expect(() => cache.setLifetimes({ foundTtlMs: Infinity })).toThrow(RangeError);
    clock.advance(999);
    expect(cache.get("paris")).toEqual(PARIS);
    clock.advance(1);
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
    first.set("paris", FULL_PLACE);
    first.set("nowhere", NOT_FOUND);
    await first.close();

    clock.advance(DAY_MS);
    const second = await openCache({ indexedDB, now: clock.now });
    expect(second.get("paris")).toStrictEqual(FULL_PLACE);
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
    first.set("paris", PARIS);
    await first.close();

    // Opened after expiry: the entry is dropped on load and deleted by the next flush.
    clock.advance(1000);
    const second = await openCache({ indexedDB, now: clock.now, notFoundTtlMs: 1000 });
    await second.flush();
    expect([...(await readStore(indexedDB)).keys()]).toEqual(["paris"]);
  });

  it("does not count an expired entry as forgotten by delete()", async () => {
    const clock = manualClock();
    const cache = await openCache({ indexedDB: null, now: clock.now, notFoundTtlMs: 10 });
    cache.setMany([
      ["paris", PARIS],
      ["nowhere", NOT_FOUND],
    ]);
    clock.advance(10);

    expect(await cache.delete(["paris", "nowhere"])).toBe(1);
    expect(cache.stats().entries).toBe(0);
  });
});

describe("GeocodeCache eviction", () => {
  it("evicts the least recently used entry beyond maxEntries", async () => {
    const cache = await openCache({ indexedDB: null, maxEntries: 3 });
    cache.set("a", PARIS);
    cache.set("b", FULL_PLACE);
    cache.set("c", PARIS);
    cache.get("a");
    cache.set("d", FULL_PLACE);

    expect(cache.get("b")).toBeUndefined();
    expect(cache.stats().entries).toBe(3);
    cache.set("e", PARIS);
    expect(cache.get("c")).toBeUndefined();
    expect(["a", "d", "e"].map((key) => cache.get(key))).toEqual([PARIS, FULL_PLACE, PARIS]);
  });

  it("evicts in order over many rounds of hits and inserts, returning each its own place", async () => {
    const maxEntries = 50;
    const cache = await openCache({ indexedDB: null, maxEntries });
    const placeOf = (i: number) => ({ ...FULL_PLACE, lat: i, housenumber: String(i) });
    // A reference LRU: an array, most recently used last.
    const reference: number[] = [];
    for (let i = 0; i < 500; i++) {
      cache.set(`k${i}`, placeOf(i));
      reference.push(i);
      if (reference.length > maxEntries) {
        reference.shift();
      }
      // Touch an older key every other round to move it to the recent end.
      if (i % 2 === 0) {
        const touched = reference[i % reference.length];
        expect(cache.get(`k${touched}`)).toStrictEqual(placeOf(touched));
        reference.splice(reference.indexOf(touched), 1);
        reference.push(touched);
      }
    }

    const held = Array.from({ length: 500 }, (_, i) => i).filter(
      (i) => cache.get(`k${i}`) !== undefined
    );
    expect(held).toEqual([...reference].sort((a, b) => a - b));
    for (const i of held) {
      expect(cache.get(`k${i}`)).toStrictEqual(placeOf(i));
    }
  });

  it("deletes evicted entries from disk", async () => {
    const indexedDB = new FakeIDBFactory();
    const first = await openCache({ indexedDB, maxEntries: 2 });
    first.set("a", PARIS);
    await first.flush();
    first.set("b", PARIS);
    first.set("c", FULL_PLACE);
    await first.close();

    const second = await openCache({ indexedDB, maxEntries: 10 });
    expect(["a", "b", "c"].map((key) => second.get(key))).toEqual([undefined, PARIS, FULL_PLACE]);
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
      first.set(key, FULL_PLACE);
      clock.advance(1);
    }
    await first.close();

    const second = await openCache({ indexedDB, now: clock.now, maxEntries: 2 });
    expect(second.stats().entries).toBe(2);
    expect(["b", "a"].map((key) => second.get(key))).toEqual([FULL_PLACE, FULL_PLACE]);
    await second.close();

    const third = await openCache({ indexedDB, now: clock.now });
    expect(third.stats().entries).toBe(2);
  });
});
