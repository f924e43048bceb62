// The cache's encodings of a place: the IndexedDB record and its validation, the storage
// estimate against V8's own serializer (what browsers store), and the shared-text pool.

import { serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import {
  detailsOf,
  parseRecord,
  placeOf,
  RECORD_FORMAT,
  type RecordContents,
  toRecord,
} from "../../src/cache/place-codec";
import { MemoryDetails } from "../../src/cache/packed-details";
import { StringPool } from "../../src/cache/string-pool";
import { FULL_PLACE, PARIS, recordStoredBytes } from "./support/cache-fixtures";

const STORED_AT = 1_700_000_000_123;

function contentsOf(place: typeof PARIS): RecordContents {
  return { storedAt: STORED_AT, lat: place.lat, lon: place.lon, values: detailsOf(place) };
}

describe("IndexedDB records", () => {
  it("round-trip a whole place, a bare position and a not-found", () => {
    const notFound = { storedAt: STORED_AT, lat: NaN, lon: NaN, values: [] };
    for (const contents of [contentsOf(FULL_PLACE), contentsOf(PARIS), notFound]) {
      expect(parseRecord(structuredClone(toRecord(contents)))).toEqual(contents);
    }
    const { lat, lon, values } = parseRecord(toRecord(contentsOf(FULL_PLACE)))!;
    expect(placeOf(lat, lon, values)).toStrictEqual(FULL_PLACE);
  });

  it("carry the format first and store no field names", () => {
    const record = toRecord(contentsOf(FULL_PLACE));

    expect(record.slice(0, 4)).toEqual([RECORD_FORMAT, STORED_AT, FULL_PLACE.lat, FULL_PLACE.lon]);
    expect(record).not.toContain("formatted");
    // The details are one packed string, in which the formatted address refers to its lines.
    expect(record).toHaveLength(5);
    expect(record[4]).not.toContain(FULL_PLACE.formatted);
    expect(record[4]).not.toContain("formatted");
    expect(toRecord(contentsOf(PARIS))).toHaveLength(4);
  });

  it("reject the previous format, even where a number could pass for the format", () => {
    expect(parseRecord([STORED_AT, 48.85, 2.32])).toBeUndefined();
    expect(parseRecord([STORED_AT])).toBeUndefined();
    expect(parseRecord([RECORD_FORMAT, 48.85, 2.32])).toBeUndefined();
    expect(parseRecord([RECORD_FORMAT, NaN])).toBeUndefined();
    expect(parseRecord([RECORD_FORMAT, STORED_AT, Infinity, 2])).toBeUndefined();
    expect(parseRecord(undefined)).toBeUndefined();
  });
});

describe("storedBytes", () => {
  it("estimates the serialized record within 5% of V8's serializer, plus key and overhead", () => {
    // Not exact: V8 writes a small integer in 2 bytes or 9 depending on the array's history,
    // and may pad two-byte text by one byte.
    const cases: Array<[string, RecordContents]> = [
      ["search|||moscow", contentsOf(FULL_PLACE)],
      ["search|||paris", contentsOf(PARIS)],
      ["search|||nowhere", { storedAt: STORED_AT, lat: NaN, lon: NaN, values: [] }],
      [
        "search|||x",
        contentsOf({ ...FULL_PLACE, formatted: "x".repeat(300), name: "東".repeat(50) }),
      ],
    ];
    for (const [key, contents] of cases) {
      const serialized = serialize(toRecord(contents)).length;
      const keyAndOverhead = recordStoredBytes(key, contents) - serialized;
      // What is left besides the value: the key twice (UTF-16) and the per-record bookkeeping.
      expect(Math.abs(keyAndOverhead - (2 * key.length + 51))).toBeLessThanOrEqual(
        Math.max(8, serialized * 0.05)
      );
    }
  });
});

describe("MemoryDetails", () => {
  it("decodes what it encoded, and keeps one copy of shared text", () => {
    const details = new MemoryDetails();
    const values = detailsOf(FULL_PLACE);
    const encoded = details.encode(values);
    const poolBytes = details.poolBytes();
    const again = details.encode(values);

    expect(details.decode(encoded)).toEqual(values);
    expect(details.decode(again)).toEqual(values);
    expect(encoded).not.toContain(FULL_PLACE.attribution);
    expect(details.poolBytes()).toBe(poolBytes);
  });

  it("lets shared text go once the last place using it is released", () => {
    const details = new MemoryDetails();
    const first = details.encode(detailsOf(FULL_PLACE));
    const second = details.encode(detailsOf({ ...FULL_PLACE, city: "Санкт-Петербург" }));

    details.release(first);
    expect(details.decode(second)).toEqual(detailsOf({ ...FULL_PLACE, city: "Санкт-Петербург" }));
    details.release(second);
    expect(details.poolBytes()).toBe(0);
  });

  it("packs a Latin-1 place into one-byte text, without its place id or address lines spelt out", () => {
    const details = new MemoryDetails();
    const place = {
      ...FULL_PLACE,
      formatted: "12 Rue de Rivoli, 75001 Paris, France",
      address_line1: "12 Rue de Rivoli",
      address_line2: "75001 Paris, France",
      housenumber: "12",
      street: "Rue de Rivoli",
      suburb: "Quartier Saint-Germain-l'Auxerrois",
      district: "Paris 1er",
      postcode: "75001",
      city: "Paris",
      state: "Île-de-France",
      country: "France",
      name: "Louvre",
    };
    const packed = details.encode(detailsOf(place));

    expect(details.decode(packed)).toEqual(detailsOf(place));
    expect([...packed].every((char) => char.charCodeAt(0) < 256)).toBe(true);
    expect(packed).not.toContain(place.place_id.slice(0, 8));
    expect(packed).not.toContain("Paris, France");
    expect(packed).not.toContain("Rue de Rivoli, ");
  });

  it("encodes a bare position as nothing", () => {
    const details = new MemoryDetails();
    expect(details.encode(detailsOf(PARIS))).toBe("");
    expect(details.decode("")).toEqual([]);
  });
});

describe("StringPool", () => {
  it("reuses the id of a value held and frees values no longer referred to", () => {
    const pool = new StringPool();
    const a = pool.intern("France");
    expect(pool.intern("France")).toBe(a);
    const b = pool.intern("Germany");
    expect(pool.size).toBe(2);

    pool.release(a);
    expect(pool.valueOf(a)).toBe("France");
    pool.release(a);
    expect(pool.size).toBe(1);
    expect(pool.totalChars).toBe("Germany".length);
    // A freed id is reused for the next new value.
    expect(pool.intern("Italy")).toBe(a);
    expect(pool.valueOf(b)).toBe("Germany");
  });
});
