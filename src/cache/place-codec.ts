// How the cache turns a Place into its details (see detail-fields.ts) and back, and the record
// it stores in IndexedDB. Position and storage time live apart from the details (typed arrays in
// memory, leading numbers on disk), because every entry has them; the details are packed (see
// packed-details.ts) in memory and on disk alike, on disk with shared text written out.

import type { Place } from "../places/place";
import {
  type DetailValues,
  FIELDS,
  isFiniteNumber,
  isValueOfKind,
  KINDS,
  type RecordContents,
} from "./detail-fields";
import { ARRAY_RECORD_FORMAT, parseArrayRecord } from "./array-record";
import { packDetails, unpackDetails } from "./packed-details";

export type { DetailValues };

/**
 * The details of a place. A value of the wrong type (a non-finite number, text where a number
 * belongs) is left out, like a part Geoapify did not send: it could not be stored faithfully.
 */
export function detailsOf(place: Place): DetailValues {
  const values: DetailValues = FIELDS.map((field, index) => {
    const value = place[field];
    return isValueOfKind(value, KINDS[index]) ? value : null;
  });
  return trimTrailingNulls(values);
}

/** The Place of a position and its details: a fresh object, with only the fields present. */
export function placeOf(lat: number, lon: number, values: DetailValues): Place {
  const place: Place = { lat, lon };
  values.forEach((value, index) => {
    if (value !== null) {
      (place as unknown as Record<string, string | number>)[FIELDS[index]] = value;
    }
  });
  return place;
}

/**
 * Bumped whenever the layout below changes. The loader keeps only records of this format; old
 * ones are deleted, never read as if they were new (see idb-store.ts on version 1 records).
 */
export const RECORD_FORMAT = 3;

/**
 * One cached answer as stored in IndexedDB, an array so that no field name is stored:
 * - found: `[RECORD_FORMAT, storedAt, lat, lon, packedDetails]`, without the last for a place
 *   that has nothing but its position;
 * - not found: `[RECORD_FORMAT, storedAt]`.
 * `storedAt` (epoch ms) rather than an expiry time, so that a changed TTL applies to entries
 * already on disk. The cache key is the record's out-of-line IndexedDB key, not repeated here.
 */
export type PersistedRecord = Array<string | number>;

export type { RecordContents };

export function toRecord({ storedAt, lat, lon, values }: RecordContents): PersistedRecord {
  return Number.isNaN(lat)
    ? [RECORD_FORMAT, storedAt]
    : values.length === 0
      ? [RECORD_FORMAT, storedAt, lat, lon]
      : [RECORD_FORMAT, storedAt, lat, lon, packDetails(values)];
}

/**
 * The contents of a record of the current format or of format 2 (see array-record.ts), or
 * undefined for anything else: records of an older or newer GeoBatch, or damaged ones. Every
 * value is checked against its field's kind (see unpackDetails), so a record that passes can only
 * be read one way.
 */
export function parseRecord(record: unknown): RecordContents | undefined {
  if (Array.isArray(record) && record[0] === ARRAY_RECORD_FORMAT) {
    return parseArrayRecord(record);
  }
  if (!Array.isArray(record) || record[0] !== RECORD_FORMAT || !isFiniteNumber(record[1])) {
    return undefined;
  }
  if (record.length === 2) {
    return { storedAt: record[1], lat: NaN, lon: NaN, values: [] };
  }
  if (
    !(record.length === 4 || (record.length === 5 && typeof record[4] === "string")) ||
    !isFiniteNumber(record[2]) ||
    !isFiniteNumber(record[3])
  ) {
    return undefined;
  }
  let values: DetailValues;
  try {
    values = record.length === 5 ? unpackDetails(record[4] as string) : [];
  } catch {
    return undefined;
  }
  return { storedAt: record[1], lat: record[2], lon: record[3], values };
}

/** Whether a record that parseRecord reads is in the current format (else it is rewritten). */
export function isCurrentRecord(record: unknown): boolean {
  return Array.isArray(record) && record[0] === RECORD_FORMAT;
}

// Calibrated on Chromium: records of the previous format (a 33-byte value) under keys of about
// 53 characters took about 190 bytes each in navigator.storage.estimate(), which this model gives
// as 33 + 2 × 53 + 51. Chromium stores the key as UTF-16 in LevelDB; the rest is LevelDB's and
// IndexedDB's per-record bookkeeping.
const RECORD_OVERHEAD_BYTES = 51;

/**
 * About how many bytes a record takes in IndexedDB, key included: the size of its V8
 * serialization (what browsers store), plus the key and per-record bookkeeping. `packedBytes`:
 * the bytes of its packed details' characters (0 for none), which the caller knows without
 * packing them again (see MemoryDetails.diskBytes).
 */
export function storedBytes(
  key: string,
  { lat }: Pick<RecordContents, "lat">,
  packedBytes: number
): number {
  const numbers = Number.isNaN(lat) ? 2 : 4;
  const packed = packedBytes === 0 ? 0 : 1 + (packedBytes < 128 ? 1 : 2) + packedBytes;
  const serialized = SERIALIZED_HEADER_BYTES + numbers * (1 + 8) + packed;
  return serialized + 2 * key.length + RECORD_OVERHEAD_BYTES;
}

// V8's serializer: a version header, an array's begin and end tags with its length twice, then
// per element a tag and its payload: 8 bytes for a number (V8 writes some small integers in
// fewer, depending on how the array was built), a length and the characters for text (one byte
// each for Latin-1 text, two otherwise).
const SERIALIZED_HEADER_BYTES = 2 + 2 + 3;

/** Bytes of a string's characters in V8: one each when all are Latin-1, else two. */
export function textBytes(text: string): number {
  return NON_LATIN1.test(text) ? 2 * text.length : text.length;
}

const NON_LATIN1 = /[\u0100-\uffff]/;

function trimTrailingNulls(values: DetailValues): DetailValues {
  let length = values.length;
  while (length > 0 && values[length - 1] === null) length--;
  values.length = length;
  return values;
}
