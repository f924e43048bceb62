// The geocode cache's answers in memory: what get() returns for what set() stored, whole places
// included, "Forget selected" and the counts the pane shows.

import { IDBFactory as FakeIDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { type CachedResult, NOT_FOUND } from "../../src/cache/geocode-cache";
import type { Place } from "../../src/places/place";
import { BERLIN, FULL_PLACE, PARIS, useCaches } from "./support/cache-fixtures";

const openCache = useCaches();

describe("GeocodeCache lookups", () => {
  it("returns what was stored and undefined for a key never stored", async () => {
    const cache = await openCache({ indexedDB: new FakeIDBFactory() });
    cache.set("paris", PARIS);

    expect(cache.get("paris")).toEqual(PARIS);
    expect(cache.get("berlin")).toBeUndefined();
  });

  it("returns every field of a place, exactly, with the same keys", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.set("search|||moscow", FULL_PLACE);

    const place = cache.get("search|||moscow") as Place;
    expect(place).toStrictEqual(FULL_PLACE);
    expect(Object.keys(place).sort()).toEqual(Object.keys(FULL_PLACE).sort());
  });

  it("keeps exact coordinates (no float32 rounding)", async () => {
    const cache = await openCache({ indexedDB: null });
    const precise = { lat: 0.1 + 0.2, lon: -179.99999999999997 };
    cache.set("precise", precise);

    expect(cache.get("precise")).toEqual(precise);
  });

  it("leaves out what a place lacks, and values of the wrong type", async () => {
    const cache = await openCache({ indexedDB: null });
    const reverse: Place = { lat: 1, lon: 2, name: "Pier", distance: 0, category: "tourism" };
    const odd = { lat: 1, lon: 2, city: 42, confidence: Number.NaN, country: "France" };
    cache.set("reverse|||1,2", reverse);
    cache.set("odd", odd as unknown as Place);

    expect(cache.get("reverse|||1,2")).toStrictEqual(reverse);
    expect(cache.get("odd")).toStrictEqual({ lat: 1, lon: 2, country: "France" });
  });

  it("keeps a formatted address that differs from its joined lines as it was", async () => {
    const cache = await openCache({ indexedDB: null });
    const joined = {
      lat: 1,
      lon: 2,
      formatted: "A 1, B",
      address_line1: "A 1",
      address_line2: "B",
    };
    const other = { ...joined, formatted: "A 1,  B" };
    const alone = { lat: 1, lon: 2, formatted: "A 1, B", address_line2: "B" };
    cache.setMany([
      ["joined", joined],
      ["other", other],
      ["alone", alone],
    ]);

    expect([cache.get("joined"), cache.get("other"), cache.get("alone")]).toStrictEqual([
      joined,
      other,
      alone,
    ]);
  });

  it("tells a cached not-found apart from a miss", async () => {
    const cache = await openCache({ indexedDB: new FakeIDBFactory() });
    cache.set("nowhere", NOT_FOUND);

    expect(cache.get("nowhere")).toBe(NOT_FOUND);
    expect(cache.get("never asked")).toBeUndefined();
  });

  it("hands out fresh objects, so a caller changing a result does not change the cache", async () => {
    const cache = await openCache({ indexedDB: null });
    const stored = { ...FULL_PLACE };
    cache.set("place", stored);
    stored.city = "changed after set";
    const first = cache.get("place") as Place;
    first.lat = 0;
    first.city = "changed after get";

    expect(cache.get("place")).toStrictEqual(FULL_PLACE);
    expect(cache.get("place")).not.toBe(cache.get("place"));
  });

  it("replaces a value stored under the same key", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.set("place", FULL_PLACE);
    cache.set("place", NOT_FOUND);
    expect(cache.get("place")).toBe(NOT_FOUND);
    cache.set("place", BERLIN);

    expect(cache.get("place")).toStrictEqual(BERLIN);
    expect(cache.stats()).toMatchObject({ entries: 1, found: 1, notFound: 0 });
  });

  it("does not cache a place without finite coordinates", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.set("broken", { lat: Number.NaN, lon: 2, city: "Paris" });

    expect(cache.get("broken")).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
  });

  it("stores every entry of setMany", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.setMany([
      ["paris", PARIS],
      ["moscow", FULL_PLACE],
      ["nowhere", NOT_FOUND],
    ]);

    expect([cache.get("paris"), cache.get("moscow"), cache.get("nowhere")]).toEqual([
      PARIS,
      FULL_PLACE,
      NOT_FOUND,
    ]);
  });

  it("treats keys as opaque: keys differing in kind, options or endpoint are apart", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.setMany([
      ["search|||paris", PARIS],
      ["search|gb||paris", NOT_FOUND],
      ["http://127.0.0.1:1 search|||paris", BERLIN],
    ]);

    expect(cache.get("search|||paris")).toEqual(PARIS);
    expect(cache.get("search|gb||paris")).toBe(NOT_FOUND);
    expect(cache.get("http://127.0.0.1:1 search|||paris")).toEqual(BERLIN);
    expect(cache.get("search|||PARIS")).toBeUndefined();
  });
});

describe("GeocodeCache.delete", () => {
  it("forgets the chosen keys at once, keeps the rest and counts what it held", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.setMany([
      ["a", PARIS],
      ["b", FULL_PLACE],
      ["c", NOT_FOUND],
      ["d", BERLIN],
    ]);

    const deleted = cache.delete(["b", "c", "never stored", "b"]);
    // Gone from memory before the promise settles.
    expect([cache.get("b"), cache.get("c")]).toEqual([undefined, undefined]);
    expect(await deleted).toBe(2);
    expect([cache.get("a"), cache.get("d")]).toEqual([PARIS, BERLIN]);
    expect(cache.stats()).toMatchObject({ entries: 2, found: 2, notFound: 0 });
  });

  it("lets a forgotten key be stored again", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.set("a", PARIS);
    await cache.delete(["a"]);
    cache.set("a", FULL_PLACE);

    expect(cache.get("a")).toStrictEqual(FULL_PLACE);
  });
});

describe("GeocodeCache.stats", () => {
  it("counts entries by kind and estimates memory and storage growing with them", async () => {
    const cache = await openCache({ indexedDB: new FakeIDBFactory() });
    expect(cache.stats()).toEqual({
      entries: 0,
      found: 0,
      notFound: 0,
      approxBytes: 0,
      storedBytes: 0,
    });

    cache.setMany([
      ["paris", PARIS],
      ["berlin", BERLIN],
      ["nowhere", NOT_FOUND],
    ]);
    const small = cache.stats();
    cache.setMany(
      Array.from({ length: 2000 }, (_, i): [string, CachedResult] => [`k${i}`, FULL_PLACE])
    );
    const large = cache.stats();

    expect(small).toMatchObject({ entries: 3, found: 2, notFound: 1 });
    expect(small.approxBytes).toBeGreaterThan(0);
    expect(small.storedBytes).toBeGreaterThan(0);
    expect(large).toMatchObject({ entries: 2003, found: 2002, notFound: 1 });
    // A whole place costs several hundred bytes more than a bare position, in both.
    expect(large.approxBytes - small.approxBytes).toBeGreaterThan(2000 * 200);
    expect(large.storedBytes - small.storedBytes).toBeGreaterThan(2000 * 300);
  });

  it("gives back the bytes of what it forgets", async () => {
    const cache = await openCache({ indexedDB: new FakeIDBFactory() });
    cache.set("a", FULL_PLACE);
    const one = cache.stats();
    cache.set("b", FULL_PLACE);
    cache.set("b", NOT_FOUND);
    cache.set("b", FULL_PLACE);
    await cache.delete(["b"]);

    expect(cache.stats()).toEqual(one);
    await cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, storedBytes: 0 });
  });

  it("reports no storage when the cache keeps nothing on disk", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.set("a", FULL_PLACE);

    expect(cache.stats()).toMatchObject({ entries: 1, storedBytes: 0 });
    expect(cache.stats().approxBytes).toBeGreaterThan(0);
  });
});
