// What an address or a coordinate resolves to in the emulator.
//
// Forward resolution, in order:
//   1. The input is normalised (accents stripped, case folded, "." and "'" deleted, any other
//      punctuation turned into a space, whitespace collapsed, common street abbreviations
//      expanded) and looked up among the aliases of the well-known places (./places.ts). A hit is
//      a confident `full_match` with the place's real coordinates and every documented field.
//   2. "<city>, <country>" for a city of ./world.ts ("Paris, France", "London, UK", "Rom,
//      Italien") is a `city` result at the city centre. A bare city name stays not found.
//   3. Otherwise, if the input contains a digit, it resolves to a synthetic `building`, derived
//      from a SHA-256 of the normalised text, so large generated sheets geocode reproducibly:
//      - its country is the one the text ends with (a last comma-separated part that is a
//        country's ISO alpha-2 code, such as ", US" or ", de"; or a text ending in a country's
//        name in English, German, French, Spanish or Italian, or an alias such as "USA", "UK");
//        else one the hash chooses among the known countries — among the filter's countries
//        when a `countrycode` filter is given. (So "Springfield, IL" reads as Israel: a
//        trailing two-letter part is always a country code.)
//      - its point lies within 0.25° of a city of that country (the hash chooses which), so a
//        reverse lookup of it finds that city;
//      - it echoes the input as `formatted`, reads `housenumber` and `street` from a first part
//        that starts with a number, and `city` from a second part without digits; confidence 0.5.
//   4. Anything else is not found: the result is `{ query }`.
// A `countrycode` filter turns any result outside its countries into not found. `lang` names
// countries and cities (and the address lines holding them) in en, de, fr, es or it; other
// valid languages answer in English.
//
// Reverse resolution: the nearest well-known place or city within 50 km, with `distance` in
// metres, `name` and, for places, `category`; farther away (at sea, say) the result holds only
// `query`.

import { createHash } from "node:crypto";
import type { BatchResult } from "../../geoapify/types";
import { placeId, plusCode } from "./codes";
import { PLACES, type DataSource, type Place } from "./places";
import {
  CITIES,
  CITIES_BY_KEY,
  COUNTRIES,
  COUNTRIES_BY_CODE,
  TIME_ZONES,
  TRANSLATED_LANGUAGES,
  translate,
  type City,
  type Country,
} from "./world";

/** The options of a lookup that change its answer. */
export interface LookupOptions {
  /** Result language (`lang`). */
  lang?: string;
  /** Countries of a `filter=countrycode:..`, lower case; elsewhere is not found. */
  countryCodes?: readonly string[];
}

/** A reverse-geocoding result: the query echoes the coordinate and its plus code, no text. */
export type ReverseResult = Omit<BatchResult, "query"> & {
  query: { lon: number; lat: number; plus_code: string };
};

/** Beyond this distance from every known place a reverse lookup finds nothing. */
export const REVERSE_RADIUS_METERS = 50_000;

/** How far synthetic points lie from their city centre, in degrees each way. */
const SYNTHETIC_SPREAD_DEGREES = 0.25;

// Expanded on both sides of the comparison, so "221B Baker St" and "221B Baker Street" meet.
const ABBREVIATIONS: Record<string, string> = {
  st: "street",
  ave: "avenue",
  av: "avenue",
  dr: "drive",
  rd: "road",
  blvd: "boulevard",
  mt: "mount",
  sq: "square",
  fifth: "5th",
};

/** The canonical form two spellings of one address share; see the resolution rule above. */
export function normalizeAddress(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[.'’]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .split(" ")
    .map((token) => ABBREVIATIONS[token] ?? token)
    .join(" ");
}

const DATASOURCES: Record<DataSource | "synthetic", BatchResult["datasource"]> = {
  openstreetmap: {
    sourcename: "openstreetmap",
    attribution: "© OpenStreetMap contributors",
    license: "Open Database License",
    url: "https://www.openstreetmap.org/copyright",
  },
  openaddresses: {
    sourcename: "openaddresses",
    attribution: "© OpenAddresses contributors",
    license: "BSD-3-Clause License",
    url: "https://openaddresses.io",
  },
  synthetic: { sourcename: "geobatch-emulator", attribution: "Synthetic coordinates" },
};

/** Country names (every language), aliases; not codes, which only count as a separate part. */
const COUNTRIES_BY_NAME = new Map<string, Country>(
  COUNTRIES.flatMap((country) =>
    [...country.names, ...(country.formalNames ?? []), ...(country.aliases ?? [])].map(
      (name): [string, Country] => [normalizeAddress(name), country]
    )
  )
);

const PLACES_BY_ALIAS = new Map<string, Place>(
  PLACES.flatMap((place) => place.aliases.map((alias) => [normalizeAddress(alias), place]))
);

const CITIES_BY_ALIAS = new Map<string, City>(
  CITIES.flatMap((city) => {
    const country = COUNTRIES_BY_CODE.get(city.country)!;
    const countryNames = [...COUNTRIES_BY_NAME].filter(([, named]) => named === country);
    return city.names.flatMap((cityName) =>
      [...countryNames.map(([name]) => name), country.code].map((countryName): [string, City] => [
        `${normalizeAddress(cityName)} ${countryName}`,
        city,
      ])
    );
  })
);

/** Drops the parts a result lacks: Geoapify leaves them out rather than sending null. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined && value !== "")
  ) as T;
}

function roundCoordinate(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

/** The parts every result in a city shares: region, country and time zone. */
function regionParts(city: City, lang: string) {
  const country = COUNTRIES_BY_CODE.get(city.country)!;
  return {
    country: translate(country.names, lang),
    country_code: country.code,
    state: city.state,
    state_code: city.state_code,
    county: city.county,
    city: translate(city.names, lang),
    iso3166_2: city.state_code ? `${country.code.toUpperCase()}-${city.state_code}` : undefined,
    timezone: TIME_ZONES.get(city.timezone),
  };
}

function located(lat: number, lon: number, sourceObject: string) {
  return { lat, lon, plus_code: plusCode(lat, lon), place_id: placeId(lat, lon, sourceObject) };
}

const FULL_MATCH = {
  confidence: 1,
  confidence_city_level: 1,
  confidence_street_level: 1,
  match_type: "full_match",
};

function placeProperties(place: Place, lang: string): Omit<BatchResult, "query"> {
  const city = CITIES_BY_KEY.get(place.city)!;
  const country = COUNTRIES_BY_CODE.get(city.country)!;
  const region = regionParts(city, lang);
  const addressLine2 = place.address_line2
    .replace("{city}", region.city)
    .replace("{country}", translate(country.formalNames ?? country.names, lang));
  const slug = normalizeAddress(place.aliases[0]).replaceAll(" ", "-");
  return compact({
    datasource: DATASOURCES[place.source],
    name: place.name,
    ...region,
    postcode: place.postcode,
    district: place.district,
    suburb: place.suburb,
    street: place.street,
    housenumber: place.housenumber,
    ...located(place.lat, place.lon, `${place.source}:venue:${slug}`),
    result_type: place.result_type,
    formatted: `${place.address_line1}, ${addressLine2}`,
    address_line1: place.address_line1,
    address_line2: addressLine2,
  });
}

function cityProperties(city: City, lang: string): Omit<BatchResult, "query"> {
  const region = regionParts(city, lang);
  const addressLine2 = [region.state, region.country].filter(Boolean).join(", ");
  return compact({
    datasource: DATASOURCES.openstreetmap,
    name: region.city,
    ...region,
    ...located(city.lat, city.lon, `openstreetmap:city:${normalizeAddress(city.key)}`),
    result_type: "city",
    formatted: `${region.city}, ${addressLine2}`,
    address_line1: region.city,
    address_line2: addressLine2,
  });
}

/** The country an address names at its end; see rule 3 above. */
function namedCountry(text: string): Country | undefined {
  const parts = text.split(",");
  const lastPart = normalizeAddress(parts[parts.length - 1]);
  if (parts.length > 1 && /^[a-z]{2}$/.test(lastPart)) return COUNTRIES_BY_CODE.get(lastPart);
  const words = normalizeAddress(text).split(" ");
  // Longest ending first, so "united states of america" wins over "america".
  for (let start = Math.max(0, words.length - 4); start < words.length; start++) {
    const country = COUNTRIES_BY_NAME.get(words.slice(start).join(" "));
    if (country) return country;
  }
  return undefined;
}

function syntheticProperties(
  text: string,
  normalized: string,
  options: LookupOptions,
  lang: string
): Omit<BatchResult, "query"> | undefined {
  const digest = createHash("sha256").update(normalized).digest();
  const choose = <T>(items: readonly T[], offset: number) =>
    items[digest.readUInt32BE(offset) % items.length];
  const named = namedCountry(text);
  const candidates = options.countryCodes
    ? COUNTRIES.filter((country) => options.countryCodes!.includes(country.code))
    : COUNTRIES;
  const country = named ?? (candidates.length ? choose(candidates, 8) : undefined);
  if (!country) return undefined;

  const centre = choose(
    CITIES.filter((city) => city.country === country.code),
    12
  );
  const spread = (offset: number) =>
    (digest.readUInt32BE(offset) / 2 ** 32 - 0.5) * 2 * SYNTHETIC_SPREAD_DEGREES;
  const lat = roundCoordinate(centre.lat + spread(0));
  const lon = roundCoordinate(centre.lon + spread(4));
  const parts = text.split(",").map((part) => part.trim());
  const street = /^(\d+\w*)\s+(.+)$/.exec(parts[0]);
  const cityPart = parts[1] && namedCountry(parts[1]) !== country && !/\d/.test(parts[1]);
  return compact({
    datasource: DATASOURCES.synthetic,
    country: translate(country.names, lang),
    country_code: country.code,
    city: cityPart ? parts[1] : undefined,
    street: street?.[2],
    housenumber: street?.[1],
    ...located(lat, lon, `geobatch-emulator:address:${digest.toString("hex").slice(0, 40)}`),
    timezone: TIME_ZONES.get(centre.timezone),
    result_type: "building",
    formatted: text.trim(),
    address_line1: parts[0],
    address_line2: parts.slice(1).join(", "),
    rank: {
      confidence: 0.5,
      confidence_city_level: 0.5,
      confidence_street_level: 0.5,
      match_type: "match_by_building",
    },
  });
}

/** Forward-geocodes one free-form address; a not-found result carries only `query`. */
export function geocode(text: string, options: LookupOptions = {}): BatchResult {
  const query = { text };
  const lang = options.lang ?? TRANSLATED_LANGUAGES[0];
  const normalized = normalizeAddress(text);
  const place = PLACES_BY_ALIAS.get(normalized);
  const city = place ? undefined : CITIES_BY_ALIAS.get(normalized);
  let properties: Omit<BatchResult, "query"> | undefined;
  if (place) properties = { ...placeProperties(place, lang), rank: FULL_MATCH };
  else if (city) properties = { ...cityProperties(city, lang), rank: FULL_MATCH };
  else if (/\d/.test(normalized)) properties = syntheticProperties(text, normalized, options, lang);

  const outside =
    options.countryCodes !== undefined &&
    !options.countryCodes.includes(String(properties?.country_code));
  return properties && !outside ? { query, ...properties } : { query };
}

const EARTH_RADIUS_METERS = 6_371_008.8;

function distanceMeters(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = toRadians(lat2 - lat1);
  const dLon = toRadians(lon2 - lon1);
  const a =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(lat1)) * Math.cos(toRadians(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Reverse-geocodes a coordinate; see the reverse rule above. */
export function reverseGeocode(
  lon: number,
  lat: number,
  options: LookupOptions = {}
): ReverseResult {
  const query = { lon, lat, plus_code: plusCode(lat, lon) };
  const lang = options.lang ?? TRANSLATED_LANGUAGES[0];
  let nearest: Place | City | undefined;
  let nearestDistance = Infinity;
  for (const candidate of [...PLACES, ...CITIES]) {
    const distance = distanceMeters(lat, lon, candidate.lat, candidate.lon);
    if (distance < nearestDistance) {
      nearest = candidate;
      nearestDistance = distance;
    }
  }
  if (!nearest || nearestDistance > REVERSE_RADIUS_METERS) return { query };
  const distance = Math.round(nearestDistance * 100) / 100;
  if ("aliases" in nearest) {
    return { query, ...placeProperties(nearest, lang), category: nearest.category, distance };
  }
  return { query, ...cityProperties(nearest, lang), category: "populated_place", distance };
}
