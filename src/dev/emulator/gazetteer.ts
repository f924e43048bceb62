// The emulator's whole knowledge of the world: a handful of well-known places with their real
// coordinates, and a deterministic rule that invents coordinates for everything else that looks
// like a street address.
//
// Resolution rule, in order:
//   1. The input is normalised (accents stripped, case folded, "." and "'" deleted, any other
//      punctuation turned into a space, whitespace collapsed, common street abbreviations
//      expanded) and looked up among the aliases of the gazetteer below. A hit is a confident
//      `full_match` with the place's real coordinates.
//   2. Otherwise, if the normalised input contains a digit, it resolves to a synthetic
//      `building` whose coordinates are derived from a SHA-256 of the normalised text. The same
//      text (or any spelling that normalises to it) always lands on the same spot, so large
//      generated sheets geocode reproducibly without a real geocoder. Synthetic results carry a
//      lower confidence and echo the input as `formatted`.
//   3. Anything else (no digit, not in the gazetteer) is not found: the result is `{ query }`.

import { createHash } from "node:crypto";
import type { BatchResult } from "../../geoapify/types";

interface Place {
  /** Spellings users type; matched after normalisation, so case and punctuation don't matter. */
  aliases: string[];
  lat: number;
  lon: number;
  name?: string;
  housenumber?: string;
  street?: string;
  city: string;
  state?: string;
  postcode?: string;
  country: string;
  country_code: string;
  result_type: "building" | "amenity";
  address_line1: string;
  address_line2: string;
}

// Coordinates are those of the OpenStreetMap objects a geocoder returns for these addresses.
const PLACES: Place[] = [
  {
    aliases: [
      "1600 Pennsylvania Avenue Washington DC",
      "1600 Pennsylvania Avenue NW, Washington, DC 20500",
      "The White House, Washington DC",
    ],
    lat: 38.8976763,
    lon: -77.0365298,
    name: "White House",
    housenumber: "1600",
    street: "Pennsylvania Avenue Northwest",
    city: "Washington",
    state: "District of Columbia",
    postcode: "20500",
    country: "United States",
    country_code: "us",
    result_type: "building",
    address_line1: "White House",
    address_line2:
      "1600 Pennsylvania Avenue Northwest, Washington, DC 20500, United States of America",
  },
  {
    aliases: ["11 Wall Street New York", "11 Wall Street, New York, NY 10005"],
    lat: 40.7069,
    lon: -74.0112,
    name: "New York Stock Exchange",
    housenumber: "11",
    street: "Wall Street",
    city: "New York",
    state: "New York",
    postcode: "10005",
    country: "United States",
    country_code: "us",
    result_type: "building",
    address_line1: "New York Stock Exchange",
    address_line2: "11 Wall Street, New York, NY 10005, United States of America",
  },
  {
    aliases: [
      "350 Fifth Avenue New York",
      "350 5th Avenue, New York, NY 10118",
      "Empire State Building, New York",
    ],
    lat: 40.7484405,
    lon: -73.9856644,
    name: "Empire State Building",
    housenumber: "350",
    street: "5th Avenue",
    city: "New York",
    state: "New York",
    postcode: "10118",
    country: "United States",
    country_code: "us",
    result_type: "building",
    address_line1: "Empire State Building",
    address_line2: "350 5th Avenue, New York, NY 10118, United States of America",
  },
  {
    aliases: ["221B Baker St London", "221B Baker Street, London NW1 6XE"],
    lat: 51.5237,
    lon: -0.1585,
    name: "Sherlock Holmes Museum",
    housenumber: "221B",
    street: "Baker Street",
    city: "London",
    state: "England",
    postcode: "NW1 6XE",
    country: "United Kingdom",
    country_code: "gb",
    result_type: "building",
    address_line1: "Sherlock Holmes Museum",
    address_line2: "221B Baker Street, London NW1 6XE, United Kingdom",
  },
  {
    aliases: [
      "Tour Eiffel Champ de Mars Paris",
      "Tour Eiffel, 5 Avenue Anatole France, 75007 Paris",
      "Eiffel Tower, Paris",
    ],
    lat: 48.8582599,
    lon: 2.2945006,
    name: "Tour Eiffel",
    housenumber: "5",
    street: "Avenue Anatole France",
    city: "Paris",
    state: "Ile-de-France",
    postcode: "75007",
    country: "France",
    country_code: "fr",
    result_type: "amenity",
    address_line1: "Tour Eiffel",
    address_line2: "5 Avenue Anatole France, 75007 Paris, France",
  },
  {
    aliases: [
      "4059 Mt Lee Dr Hollywood",
      "4059 Mount Lee Drive, Los Angeles, CA 90068",
      "Hollywood Sign, Los Angeles",
    ],
    lat: 34.1341,
    lon: -118.3215,
    name: "Hollywood Sign",
    housenumber: "4059",
    street: "Mount Lee Drive",
    city: "Los Angeles",
    state: "California",
    postcode: "90068",
    country: "United States",
    country_code: "us",
    result_type: "building",
    address_line1: "Hollywood Sign",
    address_line2: "4059 Mount Lee Drive, Los Angeles, CA 90068, United States of America",
  },
  {
    aliases: ["Buckingham Palace London", "Buckingham Palace, London SW1A 1AA"],
    lat: 51.5013673,
    lon: -0.1418791,
    name: "Buckingham Palace",
    street: "The Mall",
    city: "London",
    state: "England",
    postcode: "SW1A 1AA",
    country: "United Kingdom",
    country_code: "gb",
    result_type: "amenity",
    address_line1: "Buckingham Palace",
    address_line2: "The Mall, London SW1A 1AA, United Kingdom",
  },
  {
    aliases: [
      "Statue of Liberty New York",
      "Statue of Liberty, Liberty Island, New York, NY 10004",
    ],
    lat: 40.6892494,
    lon: -74.0445004,
    name: "Statue of Liberty",
    street: "Liberty Island",
    city: "New York",
    state: "New York",
    postcode: "10004",
    country: "United States",
    country_code: "us",
    result_type: "amenity",
    address_line1: "Statue of Liberty",
    address_line2: "Liberty Island, New York, NY 10004, United States of America",
  },
  {
    aliases: ["Manger Square Bethlehem", "Manger Square, Bethlehem, Palestine"],
    lat: 31.7043,
    lon: 35.2069,
    name: "Manger Square",
    street: "Manger Square",
    city: "Bethlehem",
    state: "West Bank",
    country: "Palestinian Territory",
    country_code: "ps",
    result_type: "amenity",
    address_line1: "Manger Square",
    address_line2: "Bethlehem, Palestinian Territory",
  },
  {
    aliases: [
      "2 Macquarie Street Sydney",
      "Sydney Opera House, 2 Macquarie Street, Sydney NSW 2000",
      "Sydney Opera House, Bennelong Point, Sydney",
    ],
    lat: -33.8567844,
    lon: 151.2152967,
    name: "Sydney Opera House",
    housenumber: "2",
    street: "Macquarie Street",
    city: "Sydney",
    state: "New South Wales",
    postcode: "2000",
    country: "Australia",
    country_code: "au",
    result_type: "building",
    address_line1: "Sydney Opera House",
    address_line2: "2 Macquarie Street, Sydney NSW 2000, Australia",
  },
  {
    aliases: ["10 Downing Street London", "10 Downing Street, London SW1A 2AA"],
    lat: 51.5033635,
    lon: -0.1276248,
    name: "Prime Minister's Office",
    housenumber: "10",
    street: "Downing Street",
    city: "London",
    state: "England",
    postcode: "SW1A 2AA",
    country: "United Kingdom",
    country_code: "gb",
    result_type: "building",
    address_line1: "10 Downing Street",
    address_line2: "London SW1A 2AA, United Kingdom",
  },
  {
    aliases: ["Colosseum Rome", "Colosseo, Piazza del Colosseo 1, 00184 Roma"],
    lat: 41.8902102,
    lon: 12.4922309,
    name: "Colosseo",
    housenumber: "1",
    street: "Piazza del Colosseo",
    city: "Rome",
    state: "Lazio",
    postcode: "00184",
    country: "Italy",
    country_code: "it",
    result_type: "amenity",
    address_line1: "Colosseo",
    address_line2: "Piazza del Colosseo 1, 00184 Rome RM, Italy",
  },
  {
    aliases: ["Brandenburg Gate Berlin", "Brandenburger Tor, Pariser Platz, 10117 Berlin"],
    lat: 52.5162746,
    lon: 13.3777041,
    name: "Brandenburger Tor",
    street: "Pariser Platz",
    city: "Berlin",
    state: "Berlin",
    postcode: "10117",
    country: "Germany",
    country_code: "de",
    result_type: "amenity",
    address_line1: "Brandenburger Tor",
    address_line2: "Pariser Platz, 10117 Berlin, Germany",
  },
  {
    aliases: [
      "Sagrada Familia Barcelona",
      "Basílica de la Sagrada Família, Carrer de Mallorca 401",
    ],
    lat: 41.4036299,
    lon: 2.1743558,
    name: "Basílica de la Sagrada Família",
    housenumber: "401",
    street: "Carrer de Mallorca",
    city: "Barcelona",
    state: "Catalonia",
    postcode: "08013",
    country: "Spain",
    country_code: "es",
    result_type: "amenity",
    address_line1: "Basílica de la Sagrada Família",
    address_line2: "Carrer de Mallorca, 401, 08013 Barcelona, Spain",
  },
];

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

const PLACES_BY_ALIAS = new Map<string, Place>(
  PLACES.flatMap((place) => place.aliases.map((alias) => [normalizeAddress(alias), place]))
);

const OSM_DATASOURCE = {
  sourcename: "openstreetmap",
  attribution: "© OpenStreetMap contributors",
  license: "Open Database License",
  url: "https://www.openstreetmap.org/copyright",
};

function placeProperties(place: Place): Omit<BatchResult, "query"> {
  const { aliases: _aliases, ...address } = place;
  return {
    datasource: OSM_DATASOURCE,
    ...address,
    formatted: `${place.address_line1}, ${place.address_line2}`,
    place_id: createHash("sha256").update(place.aliases[0]).digest("hex").slice(0, 40),
  };
}

function roundCoordinate(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

/** Forward-geocodes one free-form address; a not-found result carries only `query`. */
export function geocode(text: string): BatchResult {
  const query = { text };
  const normalized = normalizeAddress(text);
  const place = PLACES_BY_ALIAS.get(normalized);
  if (place) {
    return {
      query,
      ...placeProperties(place),
      rank: {
        confidence: 1,
        confidence_city_level: 1,
        confidence_street_level: 1,
        match_type: "full_match",
      },
    };
  }
  if (!/\d/.test(normalized)) return { query };

  const digest = createHash("sha256").update(normalized).digest();
  // Latitudes stay within inhabited bands so synthetic points look plausible on a map.
  const lat = -60 + (digest.readUInt32BE(0) / 2 ** 32) * 130;
  const lon = -180 + (digest.readUInt32BE(4) / 2 ** 32) * 360;
  return {
    query,
    datasource: { sourcename: "geobatch-emulator", attribution: "Synthetic coordinates" },
    lat: roundCoordinate(lat),
    lon: roundCoordinate(lon),
    result_type: "building",
    formatted: text.trim(),
    address_line1: text.trim(),
    rank: { confidence: 0.5, match_type: "match_by_building" },
    place_id: digest.toString("hex").slice(0, 40),
  };
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

/** A reverse-geocoding result: the query echoes the coordinate instead of a text. */
export type ReverseResult = Omit<BatchResult, "query"> & { query: { lon: number; lat: number } };

/** Reverse-geocodes a coordinate to the nearest gazetteer place, with its distance in metres. */
export function reverseGeocode(lon: number, lat: number): ReverseResult {
  let nearest = PLACES[0];
  let nearestDistance = Infinity;
  for (const place of PLACES) {
    const distance = distanceMeters(lat, lon, place.lat, place.lon);
    if (distance < nearestDistance) {
      nearest = place;
      nearestDistance = distance;
    }
  }
  return {
    query: { lon, lat },
    ...placeProperties(nearest),
    distance: Math.round(nearestDistance * 100) / 100,
  };
}
