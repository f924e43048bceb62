// The geocode cache without a working IndexedDB: it answers from memory and never throws.

import { IDBFactory as FakeIDBFactory, IDBObjectStore as FakeIDBObjectStore } from "fake-indexeddb";
import { describe, expect, it, vi } from "vitest";
import { NOT_FOUND } from "../../src/cache/geocode-cache";
import { BERLIN, FULL_PLACE, openDatabase, PARIS, useCaches } from "./support/cache-fixtures";

const openCache = useCaches();

describe("GeocodeCache without working IndexedDB", () => {
  it("works in memory only when no IndexedDB exists", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    expect(globalThis.indexedDB).toBeUndefined();
    const cache = await openCache();
    cache.set("paris", FULL_PLACE);
    cache.set("nowhere", NOT_FOUND);

    expect(cache.get("paris")).toStrictEqual(FULL_PLACE);
    expect(cache.get("nowhere")).toBe(NOT_FOUND);
    // Nothing to persist, so nothing scheduled.
    expect(vi.getTimerCount()).toBe(0);
    await expect(cache.flush()).resolves.toBeUndefined();
    await expect(cache.delete(["nowhere"])).resolves.toBe(1);
    expect(vi.getTimerCount()).toBe(0);
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
    await openDatabase(indexedDB, 99);

    const cache = await openCache({ indexedDB });
    cache.set("paris", PARIS);
    expect(cache.get("paris")).toEqual(PARIS);
    await expect(cache.flush()).resolves.toBeUndefined();
    expect(cache.stats().storedBytes).toBe(0);
  });

  it("works in memory when the open request never answers", async () => {
    const silent = { open: () => ({}) } as unknown as IDBFactory;
    const cache = await openCache({ indexedDB: silent, openTimeoutMs: 20 });
    cache.set("paris", PARIS);

    expect(cache.get("paris")).toEqual(PARIS);
  });

  it("works in memory when the upgrade is blocked by an open older connection", async () => {
    const indexedDB = new FakeIDBFactory();
    await openDatabase(indexedDB, 1, (db) => db.createObjectStore("places"));
    // An older page that holds on to its connection and ignores "versionchange".
    const older = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open("geobatch", 1);
      request.onsuccess = () => resolve(request.result);
    });

    const cache = await openCache({ indexedDB, openTimeoutMs: 1000 });
    cache.set("paris", FULL_PLACE);
    expect(cache.get("paris")).toStrictEqual(FULL_PLACE);
    expect(cache.stats().storedBytes).toBe(0);
    older.close();
  });

  it("works in memory when the database lacks the cache's store", async () => {
    const indexedDB = new FakeIDBFactory();
    await openDatabase(indexedDB, 2, (db) => db.createObjectStore("something else"));

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

    cache.set("paris", FULL_PLACE);
    await expect(cache.flush()).resolves.toBeUndefined();
    expect(cache.get("paris")).toStrictEqual(FULL_PLACE);

    // Memory only from now on: no more timers, no more writes.
    cache.set("berlin", BERLIN);
    expect(cache.get("berlin")).toEqual(BERLIN);
    expect(vi.getTimerCount()).toBe(0);
    await expect(cache.delete(["berlin"])).resolves.toBe(1);
    await expect(cache.clear()).resolves.toBeUndefined();
    await expect(cache.close()).resolves.toBeUndefined();
  });
});
