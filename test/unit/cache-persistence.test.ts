// The geocode cache on disk (fake-indexeddb): whole places survive a reopen exactly, writes are
// batched, delete() and clear() reach the disk, and records of another format are never read.

import { IDBFactory as FakeIDBFactory } from "fake-indexeddb";
import { describe, expect, it, vi } from "vitest";
import { NOT_FOUND } from "../../src/cache/geocode-cache";
import { FIELDS } from "../../src/cache/detail-fields";
import { detailsOf, RECORD_FORMAT } from "../../src/cache/place-codec";
import {
  BERLIN,
  FULL_PLACE,
  openDatabase,
  PARIS,
  readStore,
  spyOnWrites,
  useCaches,
  writeStore,
} from "./support/cache-fixtures";

const openCache = useCaches();

// Item kinds and the head of an item of packed details, as packed-details.ts writes them.
const [NULLS, TEXT, SHARED, NUMBER, TEMPLATE, FIELD] = [0, 1, 2, 3, 5, 6];
const head = (kind: number, count: number): string => String.fromCharCode((kind << 5) | count);
const CONFIDENCE = FIELDS.indexOf("confidence");
const HOUSENUMBER = FIELDS.indexOf("housenumber");

describe("GeocodeCache persistence", () => {
  it("returns every field of a place exactly after close and reopen", async () => {
    const indexedDB = new FakeIDBFactory();
    const first = await openCache({ indexedDB });
    first.setMany([
      ["search|||moscow", FULL_PLACE],
      ["search|||paris", PARIS],
      ["search|||nowhere", NOT_FOUND],
    ]);
    await first.close();

    const second = await openCache({ indexedDB });
    expect(second.get("search|||moscow")).toStrictEqual(FULL_PLACE);
    expect(second.get("search|||paris")).toStrictEqual(PARIS);
    expect(second.get("search|||nowhere")).toBe(NOT_FOUND);
    expect(second.stats()).toMatchObject({ entries: 3, found: 2, notFound: 1 });
  });

  it("stores records of the current format, under the keys it was given", async () => {
    const indexedDB = new FakeIDBFactory();
    const cache = await openCache({ indexedDB, now: () => 1000 });
    cache.setMany([
      ["http://127.0.0.1:1 search|fr|de|paris", PARIS],
      ["search|||nowhere", NOT_FOUND],
    ]);
    await cache.flush();

    expect(await readStore(indexedDB)).toEqual(
      new Map<string, unknown>([
        ["http://127.0.0.1:1 search|fr|de|paris", [RECORD_FORMAT, 1000, PARIS.lat, PARIS.lon]],
        ["search|||nowhere", [RECORD_FORMAT, 1000]],
      ])
    );
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
    first.set("place", FULL_PLACE);
    await first.flush();
    first.set("place", BERLIN);
    await first.close();

    const second = await openCache({ indexedDB });
    expect(second.get("place")).toStrictEqual(BERLIN);
  });

  it("writes 1,000 sets in one transaction, and repeated sets of a key as one put", async () => {
    const writes = spyOnWrites();
    const cache = await openCache({ indexedDB: new FakeIDBFactory() });
    for (let i = 0; i < 1000; i++) {
      cache.set(`address ${i}`, FULL_PLACE);
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

  it("delete() removes the chosen keys from disk by the time it resolves", async () => {
    const indexedDB = new FakeIDBFactory();
    const cache = await openCache({ indexedDB, flushDelayMs: 60_000 });
    cache.setMany([
      ["a", FULL_PLACE],
      ["b", PARIS],
      ["c", NOT_FOUND],
    ]);
    await cache.flush();
    // Not yet flushed: deleted before it ever reaches the disk.
    cache.set("d", BERLIN);

    expect(await cache.delete(["a", "c", "d"])).toBe(3);
    expect([...(await readStore(indexedDB)).keys()]).toEqual(["b"]);
    await cache.close();

    const reopened = await openCache({ indexedDB });
    expect(["a", "b", "c", "d"].map((key) => reopened.get(key))).toEqual([
      undefined,
      PARIS,
      undefined,
      undefined,
    ]);
  });

  it("clear() empties memory and disk, including writes not yet flushed", async () => {
    const indexedDB = new FakeIDBFactory();
    const cache = await openCache({ indexedDB });
    cache.set("paris", PARIS);
    await cache.flush();
    cache.set("berlin", FULL_PLACE);

    await cache.clear();
    expect(cache.get("paris")).toBeUndefined();
    expect(cache.get("berlin")).toBeUndefined();
    expect(cache.stats()).toEqual({
      entries: 0,
      found: 0,
      notFound: 0,
      approxBytes: 0,
      storedBytes: 0,
    });
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
      ["e", FULL_PLACE],
      ["f", BERLIN],
    ]);
    await cache.close();

    const reopened = await openCache({ indexedDB });
    expect(["a", "b", "c", "d", "e", "f"].map((key) => reopened.get(key))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      FULL_PLACE,
      BERLIN,
    ]);
  });
});

describe("GeocodeCache and records of other formats", () => {
  it("drops a version 1 database's records instead of reading them as places", async () => {
    const indexedDB = new FakeIDBFactory();
    // What GeoBatch's first cache wrote: [storedAt, lat, lon] and [storedAt], keyed by the
    // lower-cased address or the endpoint and the address.
    await openDatabase(indexedDB, 1, (db) => db.createObjectStore("places"));
    const storedAt = Date.now();
    await writeStore(indexedDB, {
      paris: [storedAt, PARIS.lat, PARIS.lon],
      "search|||paris": [storedAt, PARIS.lat, PARIS.lon],
      "http://127.0.0.1:1 nowhere": [storedAt],
    });

    const cache = await openCache({ indexedDB });
    expect(cache.stats().entries).toBe(0);
    expect(cache.get("paris")).toBeUndefined();
    expect(cache.get("search|||paris")).toBeUndefined();
    expect(cache.get("http://127.0.0.1:1 nowhere")).toBeUndefined();
    expect((await readStore(indexedDB)).size).toBe(0);

    // The upgraded database works as usual.
    cache.set("search|||paris", FULL_PLACE);
    await cache.close();
    const reopened = await openCache({ indexedDB });
    expect(reopened.get("search|||paris")).toStrictEqual(FULL_PLACE);
  });

  it("reads records of format 2 and rewrites them in the current format", async () => {
    const indexedDB = new FakeIDBFactory();
    const storedAt = Date.now();
    await openDatabase(indexedDB, 2, (db) => db.createObjectStore("places"));
    // Format 2: the details as an array, the formatted address as 0 when it joins its lines.
    const arrayDetails = detailsOf(FULL_PLACE);
    arrayDetails[FIELDS.indexOf("formatted")] = 0;
    await writeStore(indexedDB, {
      "search|||moscow": [2, storedAt, FULL_PLACE.lat, FULL_PLACE.lon, ...arrayDetails],
      "search|||paris": [2, storedAt, PARIS.lat, PARIS.lon],
      "search|||nowhere": [2, storedAt],
    });

    const cache = await openCache({ indexedDB });
    expect(cache.get("search|||moscow")).toStrictEqual(FULL_PLACE);
    expect(cache.get("search|||paris")).toStrictEqual(PARIS);
    expect(cache.get("search|||nowhere")).toBe(NOT_FOUND);
    await cache.flush();
    const formats = [...(await readStore(indexedDB)).values()].map((record) =>
      Array.isArray(record) ? record[0] : undefined
    );
    expect(formats).toEqual([RECORD_FORMAT, RECORD_FORMAT, RECORD_FORMAT]);
  });

  it("ignores, then deletes, records it cannot read without a doubt", async () => {
    const indexedDB = new FakeIDBFactory();
    const storedAt = Date.now();
    const first = await openCache({ indexedDB });
    first.set("good", FULL_PLACE);
    await first.close();
    await writeStore(indexedDB, {
      "old format": [storedAt, PARIS.lat, PARIS.lon],
      "old not-found": [storedAt],
      "newer format": [RECORD_FORMAT + 1, storedAt, PARIS.lat, PARIS.lon],
      "previous format, damaged": [2, storedAt, 1, 2, 42],
      "no longitude": [RECORD_FORMAT, storedAt, PARIS.lat],
      "details not packed": [RECORD_FORMAT, storedAt, 1, 2, 42],
      "text running past the end": [RECORD_FORMAT, storedAt, 1, 2, `${head(TEXT, 10)}abc`],
      "a pool id, which only memory has": [RECORD_FORMAT, storedAt, 1, 2, head(SHARED, 1)],
      "a number for text": [RECORD_FORMAT, storedAt, 1, 2, `${head(NUMBER, 3)}0.9`],
      "text for a number": [
        RECORD_FORMAT,
        storedAt,
        1,
        2,
        `${head(NULLS, CONFIDENCE)}${head(TEXT, 3)}0.9`,
      ],
      "a template naming a missing field": [
        RECORD_FORMAT,
        storedAt,
        1,
        2,
        `${head(TEMPLATE, 1)}${head(FIELD, HOUSENUMBER)}`,
      ],
      "more fields than known": [RECORD_FORMAT, storedAt, 1, 2, head(NULLS, 30)],
      "an object": { lat: 1, lon: 2 },
    });

    const cache = await openCache({ indexedDB });
    expect(cache.stats().entries).toBe(1);
    expect(cache.get("good")).toStrictEqual(FULL_PLACE);
    expect(cache.get("old format")).toBeUndefined();
    expect(cache.get("old not-found")).toBeUndefined();
    await cache.flush();
    expect([...(await readStore(indexedDB)).keys()]).toEqual(["good"]);
  });
});
