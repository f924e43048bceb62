// The fields of a place besides its position, and the one form both of the cache's encodings
// start from, DetailValues: the values of the fields in the fixed order of FIELD_KINDS, null for
// a field the place lacks, trailing nulls left off.

import type { Place } from "../places/place";

export type DetailField = Exclude<keyof Place, "lat" | "lon">;

/**
 * - text: kept as is (mostly unique per place: formatted address, street, place_id);
 * - shared: text that repeats across places (country, city, time zone, attribution), interned in
 *   memory (see StringPool);
 * - number: a finite double.
 */
export type FieldKind = "text" | "shared" | "number";

// The order of this literal is the order of every packed and stored record: append new fields at the end
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

/** A place's fields besides its position, in FIELDS order; see the top of this file. */
export type DetailValues = Array<string | number | null>;

/** Whether a value can be stored faithfully as a field of this kind. */
export function isValueOfKind(value: unknown, kind: FieldKind): value is string | number {
  return kind === "number" ? isFiniteNumber(value) : typeof value === "string";
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** A record's contents; `lat` is NaN for a not-found. */
export interface RecordContents {
  storedAt: number;
  lat: number;
  lon: number;
  values: DetailValues;
}
