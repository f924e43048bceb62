// How the cache encodes a Place besides its position, in memory and on disk. Both encodings
// share one intermediate form, DetailValues: the values of the fields in the fixed order of
// FIELD_KINDS, null for a field the place lacks, trailing nulls left off. Position and storage
// time live elsewhere (typed arrays in memory, leading numbers on disk), because every entry
// has them. This file holds the shared form and the IndexedDB record; packed-details.ts the
// memory encoding.

import type { Place } from "../places/place";

export type DetailField = Exclude<keyof Place, "lat" | "lon">;

/**
 * - text: kept as is (mostly unique per place: formatted address, street, place_id);
 * - shared: text that repeats across places (country, city, time zone, attribution), interned in
 *   memory (see StringPool);
 * - number: a finite double.
 */
export type FieldKind = "text" | "shared" | "number";

// The order of this literal is the order of every stored record: append new fields at the end
// (older records then simply lack them), never reorder or remove one without a new
// RECORD_FORMAT. A Record over every Place field, so a field added to Place and not listed here
// is a type error rather than a field the cache silently drops. Forward fields come first and
// reverse-only fields last, so forward places, the common case, end before them.
const FIELD_KINDS: Record<DetailField, FieldKind> = {
  formatted: "text",
  address_line1: "text",
  address_line2: "shared",
  housenumber: "text",
  street: "text",
  suburb: "shared",
  district: "shared",
  postcode: "text",
  city: "shared",
  county: "shared",
  state: "shared",
  state_code: "shared",
  country: "shared",
  country_code: "shared",
  result_type: "shared",
  confidence: "number",
  confidence_city_level: "number",
  confidence_street_level: "number",
  match_type: "shared",
  timezone: "shared",
  plus_code: "text",
  place_id: "text",
  attribution: "shared",
  distance: "number",
  name: "text",
  category: "shared",
};

/** The detail fields in record order, and the kind of each. */
export const FIELDS = Object.keys(FIELD_KINDS) as DetailField[];
export const KINDS = FIELDS.map((field) => FIELD_KINDS[field]);
const FORMATTED = FIELDS.indexOf("formatted");
const LINE1 = FIELDS.indexOf("address_line1");
const LINE2 = FIELDS.indexOf("address_line2");

// Geoapify's formatted address is almost always its two address lines joined by ", ". The
// IndexedDB record then stores this number in its place instead of the text again, which saves
// about a sixth of a place on disk (memory goes further, see packed-details.ts). Only an exact match is replaced, so the joined lines
// are always exactly the formatted address Geoapify sent.
const JOINED_LINES = 0;

/** A place's fields besides its position, in FIELDS order; see the top of this file. */
export type DetailValues = Array<string | number | null>;

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
export const RECORD_FORMAT = 2;

/**
 * One cached answer as stored in IndexedDB, an array so that no field name is stored:
 * - found: `[RECORD_FORMAT, storedAt, lat, lon, ...details]`;
 * - not found: `[RECORD_FORMAT, storedAt]`.
 * `storedAt` (epoch ms) rather than an expiry time, so that a changed TTL applies to entries
 * already on disk. The cache key is the record's out-of-line IndexedDB key, not repeated here.
 */
export type PersistedRecord = Array<string | number | null>;

/** A record's contents; `lat` is NaN for a not-found. */
export interface RecordContents {
  storedAt: number;
  lat: number;
  lon: number;
  values: DetailValues;
}

export function toRecord({ storedAt, lat, lon, values }: RecordContents): PersistedRecord {
  return Number.isNaN(lat)
    ? [RECORD_FORMAT, storedAt]
    : [RECORD_FORMAT, storedAt, lat, lon, ...joinedLinesMarked(values)];
}

/**
 * The contents of a record of the current format, or undefined for anything else: records of an
 * older or newer GeoBatch, or damaged ones. Every value is checked against its field's kind, so
 * a record that passes can only be read one way.
 */
export function parseRecord(record: unknown): RecordContents | undefined {
  if (!Array.isArray(record) || record[0] !== RECORD_FORMAT || !isFiniteNumber(record[1])) {
    return undefined;
  }
  if (record.length === 2) {
    return { storedAt: record[1], lat: NaN, lon: NaN, values: [] };
  }
  const values = record.slice(4) as unknown[];
  const valid =
    isFiniteNumber(record[2]) &&
    isFiniteNumber(record[3]) &&
    values.length <= FIELDS.length &&
    values.every(
      (value, index) =>
        value === null ||
        isValueOfKind(value, KINDS[index]) ||
        (index === FORMATTED && value === JOINED_LINES && typeof values[LINE2] === "string")
    );
  return valid
    ? {
        storedAt: record[1],
        lat: record[2],
        lon: record[3],
        values: joinedLinesExpanded(values as DetailValues),
      }
    : undefined;
}

// Calibrated on Chromium: records of the previous format (a 33-byte value) under keys of about
// 53 characters took about 190 bytes each in navigator.storage.estimate(), which this model gives
// as 33 + 2 × 53 + 51. Chromium stores the key as UTF-16 in LevelDB; the rest is LevelDB's and
// IndexedDB's per-record bookkeeping.
const RECORD_OVERHEAD_BYTES = 51;

/**
 * About how many bytes a record takes in IndexedDB, key included: the size of its V8
 * serialization (what browsers store), plus the key and per-record bookkeeping.
 */
export function storedBytes(key: string, contents: RecordContents): number {
  const serialized = toRecord(contents).reduce<number>(
    (sum, value) => sum + serializedValueBytes(value),
    SERIALIZED_HEADER_BYTES
  );
  return serialized + 2 * key.length + RECORD_OVERHEAD_BYTES;
}

// V8's serializer: a version header, an array's begin and end tags with its length twice, then
// per element a tag and its payload: 8 bytes for a number (V8 writes some small integers in
// fewer, depending on how the array was built), a length and the characters for text (one byte
// each for Latin-1 text, two otherwise), nothing more for null.
const SERIALIZED_HEADER_BYTES = 2 + 2 + 3;

function serializedValueBytes(value: string | number | null): number {
  if (value === null) {
    return 1;
  }
  if (typeof value === "number") {
    return 1 + 8;
  }
  const bytes = textBytes(value);
  return 1 + (bytes < 128 ? 1 : 2) + bytes;
}

/** Bytes of a string's characters in V8: one each when all are Latin-1, else two. */
export function textBytes(text: string): number {
  return NON_LATIN1.test(text) ? 2 * text.length : text.length;
}

const NON_LATIN1 = /[\u0100-\uffff]/;

/** A copy of `values` with a formatted address equal to the joined lines as JOINED_LINES. */
function joinedLinesMarked(values: DetailValues): DetailValues {
  const joined = typeof values[LINE1] === "string" && typeof values[LINE2] === "string";
  if (!joined || values[FORMATTED] !== `${values[LINE1]}, ${values[LINE2]}`) {
    return values;
  }
  const marked = values.slice();
  marked[FORMATTED] = JOINED_LINES;
  return marked;
}

/** The inverse of joinedLinesMarked, in place. */
function joinedLinesExpanded(values: DetailValues): DetailValues {
  if (values[FORMATTED] === JOINED_LINES) {
    values[FORMATTED] = `${values[LINE1]}, ${values[LINE2]}`;
  }
  return values;
}

function isValueOfKind(value: unknown, kind: FieldKind): value is string | number {
  return kind === "number" ? isFiniteNumber(value) : typeof value === "string";
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function trimTrailingNulls(values: DetailValues): DetailValues {
  let length = values.length;
  while (length > 0 && values[length - 1] === null) length--;
  values.length = length;
  return values;
}
