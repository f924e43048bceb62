// Writes are packed in a task of their own, so that the cells of a job do not wait for its
// thousand places to be packed: until then a get() finds them as given, and nothing a caller can
// observe (a hit, eviction, stats, what reaches the disk) differs from packing at once.

import { IDBFactory as FakeIDBFactory } from "fake-indexeddb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NOT_FOUND } from "../../src/cache/geocode-cache";
import { PlaceSlots } from "../../src/cache/place-slots";
import {
  BERLIN,
  FULL_PLACE,
  PARIS,
  readStore,
  spyOnWrites,
  useCaches,
} from "./support/cache-fixtures";

const openCache = useCaches();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const thousandPlaces = (): Array<[string, typeof FULL_PLACE]> =>
  Array.from({ length: 1_000 }, (_, i) => [
    `search|||${i}`,
    { ...FULL_PLACE, housenumber: `${i}` },
  ]);

describe("GeocodeCache write-behind packing", () => {
  it("packs nothing while setMany runs, and everything in the next task", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const cache = await openCache({ indexedDB: null });
    const add = vi.spyOn(PlaceSlots.prototype, "add");

    cache.setMany(thousandPlaces());
    expect(add).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(0);
    expect(add).toHaveBeenCalledTimes(1_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(cache.get("search|||999")).toStrictEqual({ ...FULL_PLACE, housenumber: "999" });
  });

  it("answers a get() of a write not packed yet, as a copy the caller may change", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const cache = await openCache({ indexedDB: null });
    const given = { ...PARIS };
    cache.setMany([
      ["paris", given],
      ["nowhere", NOT_FOUND],
    ]);
    given.city = "changed by the caller";

    expect(cache.get("paris")).toStrictEqual(PARIS);
    expect(cache.get("nowhere")).toBe(NOT_FOUND);
    expect(cache.get("berlin")).toBeUndefined();
  });

  it("evicts as if packed at once when the writes not packed yet would overflow", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const cache = await openCache({ indexedDB: null, maxEntries: 2 });
    cache.set("paris", PARIS);
    vi.advanceTimersByTime(0);
    cache.setMany([
      ["berlin", BERLIN],
      ["moscow", FULL_PLACE],
    ]);

    expect(cache.get("paris")).toBeUndefined();
    expect(cache.stats().entries).toBe(2);
  });

  it("persists a write asked to be flushed once it is packed, without the flush delay", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const writes = spyOnWrites();
    const indexedDB = new FakeIDBFactory();
    const cache = await openCache({ indexedDB, flushDelayMs: 60_000 });
    cache.setMany([["paris", PARIS]], { flush: true });
    cache.setMany([["berlin", BERLIN]]);
    expect(writes.readWriteTransactions()).toBe(0);

    vi.advanceTimersByTime(0);
    // One transaction for both, long before the flush delay; no flush timer is left.
    expect(writes.readWriteTransactions()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
    await cache.close();
    expect([...(await readStore(indexedDB)).keys()].sort()).toEqual(["berlin", "paris"]);
  });

  it("a later write of a key wins over an earlier one not packed yet", async () => {
    const cache = await openCache({ indexedDB: null });
    cache.set("city", PARIS);
    cache.set("city", BERLIN);

    expect(cache.get("city")).toStrictEqual(BERLIN);
    expect(cache.stats().entries).toBe(1);
  });
});
