// Reading Geoapify's answers. Anything that is not the documented shape is a "malformed" answer:
// guessing at an undocumented shape could put a wrong coordinate into somebody's spreadsheet.

import type { BatchResult } from "./types";
import { GeoapifyError } from "./errors";
import { failures } from "./failures";

/** A geocoded address. */
export interface Place {
  lat: number;
  lon: number;
  /** Geoapify's normalised address, e.g. "11 Wall Street, New York, NY 10005, United States". */
  formatted?: string;
  /** Geoapify's `result_type`: "building", "street", "city", … */
  resultType?: string;
  /** Geoapify's `rank.confidence`, 0 to 1. */
  confidence?: number;
}

/** Parses a JSON body, or throws the whole-batch "malformed" error. */
export function parseJson(body: string, status: number): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw failures.malformed(status);
  }
}

/** The `message` of an error body such as `{statusCode, error, message}`, or "" if unreadable. */
export function errorMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) && typeof parsed.message === "string" ? parsed.message : "";
  } catch {
    return "";
  }
}

/** The job id of a `202` submission answer. */
export function readJobId(json: unknown, status: number): string {
  if (isRecord(json) && typeof json.id === "string" && json.id !== "") {
    return json.id;
  }
  throw failures.malformed(status);
}

/**
 * Pairs a finished job's results with its inputs, one entry per input in input order.
 *
 * Results are matched by their `query.text` echo rather than by position, so an answer in a
 * different order still lands on the right cells; the positional match is only the fast path.
 * An input without any matching result gets its own "malformed" error instead of failing the
 * whole batch, because the other results are still trustworthy.
 */
export function readBatchResults(
  json: unknown,
  addresses: readonly string[],
  status: number
): Array<Place | null | GeoapifyError> {
  if (!Array.isArray(json) || !json.every(isBatchResult)) {
    throw failures.malformed(status);
  }
  const results: BatchResult[] = json;
  let byText: Map<string, BatchResult> | undefined;
  return addresses.map((address, index) => {
    const key = matchKey(address);
    const sameIndex = results[index];
    if (sameIndex !== undefined && matchKey(sameIndex.query.text) === key) {
      return toPlace(sameIndex);
    }
    byText ??= indexByText(results);
    const match = byText.get(key);
    return match === undefined ? failures.missingResult() : toPlace(match);
  });
}

/** The first result of a single-address `format=json` search, or `null` if nothing matched. */
export function readSingleResult(json: unknown, status: number): Place | null | GeoapifyError {
  if (!isRecord(json) || !Array.isArray(json.results) || !json.results.every(isRecord)) {
    throw failures.malformed(status);
  }
  const first: Record<string, unknown> | undefined = json.results[0];
  return first === undefined ? null : toPlace(first);
}

/**
 * A result with coordinates is a Place; one with neither coordinate is "not found"; anything in
 * between (a lone or non-numeric coordinate) cannot be trusted and becomes that address's error.
 */
function toPlace(result: Record<string, unknown>): Place | null | GeoapifyError {
  const { lat, lon } = result;
  if (lat === undefined && lon === undefined) {
    return null;
  }
  if (!isFiniteNumber(lat) || !isFiniteNumber(lon)) {
    return failures.malformed();
  }
  const place: Place = { lat, lon };
  if (typeof result.formatted === "string") {
    place.formatted = result.formatted;
  }
  if (typeof result.result_type === "string") {
    place.resultType = result.result_type;
  }
  if (isRecord(result.rank) && isFiniteNumber(result.rank.confidence)) {
    place.confidence = result.rank.confidence;
  }
  return place;
}

function indexByText(results: readonly BatchResult[]): Map<string, BatchResult> {
  const byText = new Map<string, BatchResult>();
  for (const result of results) {
    const key = matchKey(result.query.text);
    if (!byText.has(key)) {
      byText.set(key, result);
    }
  }
  return byText;
}

/** Tolerates the whitespace and case normalisation a server may apply to the echoed query. */
function matchKey(text: string): string {
  return text.trim().replace(/\s+/g, " ").toLowerCase();
}

function isBatchResult(value: unknown): value is BatchResult {
  return isRecord(value) && isRecord(value.query) && typeof value.query.text === "string";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
