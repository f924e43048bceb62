// What one geocode is: a kind (forward search or reverse), an option set and an input. Every
// function that needs the same lookup shares it (GEO.LAT, GEO.ADDRESS and GEO.PLACE of one
// address are one geocode), so the key below is the one identity used for de-duplication, for
// grouping cells into jobs and for the cache.

export type LookupKind = "search" | "reverse";

/** Job-wide options, already validated and normalised (see normaliseCountries). */
export interface LookupOptions {
  /** ISO 3166-1 alpha-2 codes, lower case, sorted, de-duplicated, comma-joined: "de,fr". */
  country?: string;
  /** A two-letter result language from Geoapify's `lang` list, lower case. */
  language?: string;
}

export interface Lookup {
  kind: LookupKind;
  options: LookupOptions;
  /**
   * search: the address, cleaned by cleanAddress. reverse: "lat,lon" as formatted by
   * coordinateInput (rounded), which is also what is sent.
   */
  input: string;
}

/** Decimals a reverse coordinate is rounded to before anything else: 1e-6° is about 0.1 m. */
export const COORDINATE_DECIMALS = 6;

/** The text sent for an address: trimmed, inner whitespace collapsed, case kept. */
export function cleanAddress(address: string): string {
  return address.trim().replace(/\s+/g, " ");
}

/** The input of a reverse lookup: the rounded coordinate, "lat,lon". */
export function coordinateInput(lat: number, lon: number): string {
  return `${roundCoordinate(lat)},${roundCoordinate(lon)}`;
}

/** The coordinate of a reverse input made by coordinateInput. */
export function parseCoordinateInput(input: string): { lat: number; lon: number } {
  const [lat, lon] = input.split(",").map(Number);
  return { lat, lon };
}

export function roundCoordinate(value: number): number {
  // toFixed then Number: the shortest decimal text of the rounded value, and -0 becomes 0.
  return Number(value.toFixed(COORDINATE_DECIMALS)) + 0;
}

/** Cells with equal group keys may share a job: same kind, same options. */
export function groupKey(kind: LookupKind, options: LookupOptions): string {
  return `${kind}|${options.country ?? ""}|${options.language ?? ""}`;
}

/** The identity of a lookup: its group and its input, case-insensitive for addresses. */
export function lookupKey(lookup: Lookup): string {
  return `${groupKey(lookup.kind, lookup.options)}|${lookup.input.toLowerCase()}`;
}

/** The query parameters a job of this option set carries (Geoapify's `filter` and `lang`). */
export function jobParams(options: LookupOptions): Record<string, string> {
  const params: Record<string, string> = {};
  if (options.country) params.filter = `countrycode:${options.country}`;
  if (options.language) params.lang = options.language;
  return params;
}

/** The option set of a job's query parameters: the inverse of jobParams, for stored jobs. */
export function optionsFromParams(params: Readonly<Record<string, string>>): LookupOptions {
  const options: LookupOptions = {};
  const country = /^countrycode:(.+)$/.exec(params.filter ?? "")?.[1];
  if (country) options.country = country;
  if (params.lang) options.language = params.lang;
  return options;
}
