// Reading a Geoapify request (which endpoint it is for, its body and its query options, with the
// 400 answers and wording Geoapify's validation gives), and the shape of a single lookup's answer.

import { MAX_BATCH_SIZE } from "../../geoapify/types";
import type { LookupOptions } from "./gazetteer";
import { ClientError, type Answer } from "./http";
import type { RequestKind } from "./types";
import { LANGUAGE_CODES } from "./world";

export const SEARCH_PATH = "/v1/batch/geocode/search";
export const REVERSE_PATH = "/v1/batch/geocode/reverse";
export const SINGLE_PATH = "/v1/geocode/search";
export const SINGLE_REVERSE_PATH = "/v1/geocode/reverse";

export function classify(method: string, path: string): RequestKind {
  if (method === "POST" && path === SEARCH_PATH) return "submit";
  if (method === "GET" && path === SEARCH_PATH) return "poll";
  if (method === "POST" && path === REVERSE_PATH) return "reverse-submit";
  if (method === "GET" && path === REVERSE_PATH) return "reverse-poll";
  if (method === "GET" && path === SINGLE_PATH) return "single";
  if (method === "GET" && path === SINGLE_REVERSE_PATH) return "single-reverse";
  return "other";
}

export function parseBatchBody(text: string): unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ClientError(400, "Invalid request payload JSON format");
  }
  if (!Array.isArray(body)) throw new ClientError(400, '"body" must be an array');
  if (body.length === 0) throw new ClientError(400, '"body" must contain at least 1 items');
  if (body.length > MAX_BATCH_SIZE) {
    throw new ClientError(400, `"body" must contain less than or equal to ${MAX_BATCH_SIZE} items`);
  }
  return body;
}

export function toAddress(item: unknown, index: number): string {
  if (typeof item !== "string") throw new ClientError(400, `"body[${index}]" must be a string`);
  return item;
}

function isLongitude(value: unknown): value is number {
  return typeof value === "number" && value >= -180 && value <= 180;
}

function isLatitude(value: unknown): value is number {
  return typeof value === "number" && value >= -90 && value <= 90;
}

/** Accepts both documented coordinate forms: `[lon, lat]` and `{ lon, lat }`. */
export function toLonLat(item: unknown, index: number): [number, number] {
  if (Array.isArray(item) && item.length === 2 && isLongitude(item[0]) && isLatitude(item[1])) {
    return [item[0], item[1]];
  }
  if (typeof item === "object" && item !== null && !Array.isArray(item)) {
    const { lon, lat } = item as { lon?: unknown; lat?: unknown };
    if (isLongitude(lon) && isLatitude(lat)) return [lon, lat];
  }
  throw new ClientError(400, `"body[${index}]" must be a [lon, lat] array or a {lon, lat} object`);
}

/** The coordinate of a single reverse lookup, from its `lat` and `lon` parameters. */
export function queryLonLat(url: URL): [number, number] {
  const read = (name: "lat" | "lon", check: (value: unknown) => boolean, range: string) => {
    const raw = url.searchParams.get(name);
    if (raw === null || raw.trim() === "") throw new ClientError(400, `"${name}" is required`);
    const value = Number(raw);
    if (!check(value)) throw new ClientError(400, `"${name}" must be a number in ${range}`);
    return value;
  };
  return [read("lon", isLongitude, "[-180, 180]"), read("lat", isLatitude, "[-90, 90]")];
}

/** The options the emulator honours, as they were sent (for `RecordedRequest.options`). */
const RECORDED_OPTIONS = ["lang", "filter", "bias", "type", "priority"] as const;

export function sentOptions(url: URL): Record<string, string> | undefined {
  const sent = RECORDED_OPTIONS.flatMap((name) => {
    const value = url.searchParams.get(name);
    return value === null ? [] : [[name, value]];
  });
  return sent.length ? Object.fromEntries(sent) : undefined;
}

/**
 * `lang` and the `countrycode` part of `filter`. Other filters (`circle:`, `rect:`, `place:`),
 * `bias` and `type` are accepted and not applied.
 */
export function lookupOptions(url: URL): LookupOptions {
  const options: LookupOptions = {};
  const lang = url.searchParams.get("lang");
  if (lang !== null) {
    if (!LANGUAGE_CODES.includes(lang)) {
      throw new ClientError(400, `"lang" must be one of [${LANGUAGE_CODES.join(", ")}]`);
    }
    options.lang = lang;
  }
  for (const filter of url.searchParams.get("filter")?.split("|") ?? []) {
    if (!filter.startsWith("countrycode:")) continue;
    const codes = filter.slice("countrycode:".length).toLowerCase().split(",");
    if (!codes.every((code) => /^[a-z]{2}$/.test(code))) {
      throw new ClientError(
        400,
        '"filter" countrycode must be a comma-separated list of ISO 3166-1 alpha-2 codes'
      );
    }
    options.countryCodes = [...(options.countryCodes ?? []), ...codes];
  }
  return options;
}

/**
 * A single lookup's answer: `{results, query}` with `format=json`, else the GeoJSON Geoapify sends
 * by default (a client that forgets `format=json` should notice).
 */
export function singleAnswer(
  url: URL,
  result: { query: unknown; lat?: number; lon?: number }
): Answer {
  const { query, ...properties } = result;
  const found = properties.lat !== undefined && properties.lon !== undefined;
  if (url.searchParams.get("format") === "json") {
    return { status: 200, body: { results: found ? [properties] : [], query } };
  }
  const features = found
    ? [
        {
          type: "Feature",
          properties,
          geometry: { type: "Point", coordinates: [properties.lon, properties.lat] },
        },
      ]
    : [];
  return { status: 200, body: { type: "FeatureCollection", features, query } };
}
