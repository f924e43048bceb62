// Property: every place the cache stores comes back exactly, through the packed memory encoding
// (templates, hex place ids, shared text, decimal numbers) and through IndexedDB, whatever its
// text and numbers, including text that repeats other fields in overlapping ways.

import { IDBFactory as FakeIDBFactory } from "fake-indexeddb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryDetails, packDetails } from "../../src/cache/packed-details";
import { FIELDS, KINDS } from "../../src/cache/detail-fields";
import { detailsOf, textBytes } from "../../src/cache/place-codec";
import type { Place } from "../../src/places/place";
import { recordStoredBytes, useCaches } from "./support/cache-fixtures";

const openCache = useCaches();

const hexText = fc
  .uint8Array({ minLength: 1, maxLength: 70 })
  .map((bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(""));
// A small alphabet makes fields that contain, overlap and repeat each other common.
const overlappingText = fc.string({ unit: fc.constantFrom("a", "b", " ", ","), maxLength: 12 });
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ maxLength: 300 }),
  overlappingText,
  hexText,
  hexText.map((hex) => hex.toUpperCase()),
  fc.constantFrom("", "1", "0a", "Москва", "© OpenStreetMap contributors", "東京タワー 🗼")
);
const number = fc.double({ noNaN: true, noDefaultInfinity: true });

const detailRecord = fc.record(
  Object.fromEntries(
    FIELDS.map((field, index) => [field, KINDS[index] === "number" ? number : text])
  ) as Record<(typeof FIELDS)[number], fc.Arbitrary<string | number>>,
  { requiredKeys: [] }
);

/** A place, often with its address lines composed from its parts as Geoapify composes them. */
const place: fc.Arbitrary<Place> = fc
  .tuple(number, number, detailRecord, fc.boolean())
  .map(([lat, lon, details, composed]) => {
    const result = { lat, lon, ...details } as Place;
    if (composed) {
      result.address_line1 = `${result.housenumber ?? ""} ${result.street ?? ""}`;
      result.address_line2 = `${result.postcode ?? ""} ${result.city ?? ""}, ${result.country ?? ""}`;
      result.formatted = `${result.address_line1}, ${result.address_line2}`;
    }
    return result;
  });

describe("the packed memory encoding", () => {
  it("decodes exactly what it encoded, counts its bytes on disk, and releases every shared value", () => {
    fc.assert(
      fc.property(fc.array(place, { maxLength: 8 }), (places) => {
        const details = new MemoryDetails();
        const packed = places.map((each) => details.encode(detailsOf(each)));
        packed.forEach((encoded, index) => {
          expect(details.decode(encoded)).toEqual(detailsOf(places[index]));
        });
        packed.forEach((encoded, index) => {
          // What the record on disk holds, counted without packing it again.
          expect(details.diskBytes(encoded)).toBe(textBytes(packDetails(detailsOf(places[index]))));
          details.release(encoded);
        });
        expect(details.poolBytes()).toBe(0);
      }),
      { numRuns: 300 }
    );
  });
});

describe("GeocodeCache", () => {
  it("returns a place equal to the one stored, in memory and after a reopen", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(place, { minLength: 1, maxLength: 5 }), async (places) => {
        const indexedDB = new FakeIDBFactory();
        const first = await openCache({ indexedDB });
        first.setMany(places.map((each, index) => [`search|||${index}`, each]));
        places.forEach((each, index) => {
          expect(first.get(`search|||${index}`)).toStrictEqual(each);
        });
        const onDisk = places.reduce(
          (sum, each, index) =>
            sum +
            recordStoredBytes(`search|||${index}`, {
              storedAt: 0,
              ...each,
              values: detailsOf(each),
            }),
          0
        );
        expect(first.stats().storedBytes).toBe(onDisk);
        await first.close();

        const second = await openCache({ indexedDB });
        places.forEach((each, index) => {
          expect(second.get(`search|||${index}`)).toStrictEqual(each);
        });
      }),
      { numRuns: 60 }
    );
  });
});
