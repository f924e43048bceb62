// What a user's request asks for, read by the add-in's own rules (src/places), and refused in
// Geoapify's words, naming the item, before anything of it can go upstream.

import { MAX_ADDRESS_LENGTH, readAddress } from "../places/address";
import { readCoordinate } from "../places/coordinates";
import { coordinateInput, groupKey, type LookupKind, lookupKey } from "../places/lookup";
import type { LookupOptions } from "../places/lookup";
import { normaliseCountries, normaliseLanguage } from "../places/options";
import { InvalidInputError } from "../places/problems";
import { MAX_BATCH_SIZE } from "../geoapify/types";

/** A request Geoapify would answer 400, with Geoapify's message. */
export class BadRequestError extends Error {
  override readonly name = "BadRequestError";
}

export interface Item {
  /** The cache identity: src/places lookupKey. */
  key: string;
  /** What goes upstream: the cleaned address, or "lat,lon". */
  input: string;
}

/** The option set of a request from Geoapify's query parameters `filter` and `lang`. */
export function readOptions(query: Readonly<Record<string, unknown>>): LookupOptions {
  const options: LookupOptions = {};
  const lang = typeof query.lang === "string" ? query.lang : undefined;
  const filter = typeof query.filter === "string" ? query.filter : undefined;
  try {
    const language = normaliseLanguage(lang);
    if (language) options.language = language;
  } catch {
    throw new BadRequestError('"lang" must be a two-letter language code');
  }
  if (filter !== undefined) {
    const countries = /^countrycode:(.+)$/.exec(filter)?.[1];
    try {
      const country = countries === undefined ? undefined : normaliseCountries(countries);
      if (!country) throw new BadRequestError("not a country filter");
      options.country = country;
    } catch {
      throw new BadRequestError(
        '"filter" must be countrycode: with a comma-separated list of ISO 3166-1 alpha-2 codes'
      );
    }
  }
  return options;
}

/** The items of a batch body, in order; throws BadRequestError naming the first bad one. */
export function readBatch(kind: LookupKind, options: LookupOptions, body: unknown): Item[] {
  if (!Array.isArray(body)) throw new BadRequestError('"body" must be an array');
  if (body.length === 0) throw new BadRequestError('"body" must contain at least 1 items');
  if (body.length > MAX_BATCH_SIZE) {
    throw new BadRequestError(`"body" must contain less than or equal to ${MAX_BATCH_SIZE} items`);
  }
  return body.map((value, index) => {
    const input =
      kind === "search" ? readAddressItem(value, index) : readPointItem(value, `body[${index}]`);
    return { key: lookupKey({ kind, options, input }), input };
  });
}

/** The one item of a single lookup, from its query parameters. */
export function readSingle(
  kind: LookupKind,
  options: LookupOptions,
  query: Readonly<Record<string, unknown>>
): Item {
  const input =
    kind === "search"
      ? readAddressItem(query.text, "text")
      : readPoint(query.lat, query.lon, (axis) => axis.slice(0, 3));
  return { key: lookupKey({ kind, options, input }), input };
}

export function itemGroup(kind: LookupKind, options: LookupOptions): string {
  return groupKey(kind, options);
}

function readAddressItem(value: unknown, at: number | string): string {
  const name = typeof at === "number" ? `body[${at}]` : at;
  try {
    return readAddress(value);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    switch (error.problem.kind) {
      case "address-too-long":
        throw new BadRequestError(
          `"${name}" length must be less than or equal to ${MAX_ADDRESS_LENGTH} characters long`
        );
      case "address-missing":
      case "address-blank":
        throw new BadRequestError(`"${name}" is not allowed to be empty`);
      default:
        throw new BadRequestError(`"${name}" must be a string`);
    }
  }
}

function readPointItem(value: unknown, name: string): string {
  if (Array.isArray(value) && value.length === 2) {
    return readPoint(value[1], value[0], (axis) => `${name}[${axis === "latitude" ? 1 : 0}]`);
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const { lat, lon } = value as { lat?: unknown; lon?: unknown };
    return readPoint(lat, lon, (axis) => `${name}.${axis.slice(0, 3)}`);
  }
  throw new BadRequestError(`"${name}" must be a [lon, lat] array or a {lon, lat} object`);
}

function readPoint(
  lat: unknown,
  lon: unknown,
  nameOf: (axis: "latitude" | "longitude") => string
): string {
  const read = (value: unknown, axis: "latitude" | "longitude") => {
    // A JSON body carries numbers; text is a query parameter's (single reverse) only.
    if (typeof value !== "number" && typeof value !== "string") {
      throw new BadRequestError(`"${nameOf(axis)}" must be a number`);
    }
    try {
      return readCoordinate(value, axis);
    } catch {
      const range = axis === "latitude" ? "[-90, 90]" : "[-180, 180]";
      throw new BadRequestError(`"${nameOf(axis)}" must be a number in ${range}`);
    }
  };
  return coordinateInput(read(lat, "latitude"), read(lon, "longitude"));
}
