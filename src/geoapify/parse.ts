// Reading Geoapify's answers into Places. Anything that is not the documented shape is
// "malformed": guessing at an undocumented shape could put a wrong coordinate into a spreadsheet.

import {
  NUMERIC_FIELDS,
  REVERSE_FIELDS,
  type NumericField,
  type Place,
  type PlaceField,
} from "../places/place";
import { GeoapifyError } from "./errors";

/** Fields Geoapify nests (`rank.match_type`, `timezone.name`) rather than sends at the top. */
const NESTED_TEXT_FIELDS = new Set<PlaceField>(["match_type", "timezone"]);

/** Top-level text fields of a result, which a Place carries under the same name. */
const TEXT_FIELDS = REVERSE_FIELDS.filter(
  (field): field is Exclude<PlaceField, NumericField | "match_type" | "timezone"> =>
    !NUMERIC_FIELDS.has(field) && !NESTED_TEXT_FIELDS.has(field)
);

/** `rank.*` fields, flattened onto the Place. */
const RANK_NUMBERS = ["confidence", "confidence_city_level", "confidence_street_level"] as const;

/** Parses a JSON body, or throws the whole-answer "malformed" error. */
export function parseJson(body: string, status: number): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new GeoapifyError("malformed", status, "body is not JSON");
  }
}

/** The job id of a `202` submission answer. */
export function readJobId(json: unknown, status: number): string {
  if (isRecord(json) && typeof json.id === "string" && json.id !== "") {
    return json.id;
  }
  throw new GeoapifyError("malformed", status, "pending answer without a job id");
}

/** A finished job's answer: an array of result objects, or the whole-job "malformed" error. */
export function readResultArray(json: unknown, status: number): Array<Record<string, unknown>> {
  if (Array.isArray(json) && json.every(isRecord)) {
    return json;
  }
  throw new GeoapifyError("malformed", status, "results are not an array of objects");
}

/** The first result of a single `format=json` lookup, or `null` if nothing matched. */
export function readSingleResult(json: unknown, status: number): Place | null | GeoapifyError {
  if (!isRecord(json) || !Array.isArray(json.results) || !json.results.every(isRecord)) {
    throw new GeoapifyError("malformed", status, "single answer without results");
  }
  const first: Record<string, unknown> | undefined = json.results[0];
  return first === undefined ? null : toPlace(first);
}

/**
 * A result with coordinates is a Place; one with neither coordinate is "not found" (null);
 * anything in between (a lone or non-numeric coordinate) cannot be trusted and becomes that
 * input's own error, so the rest of the job still counts.
 */
export function toPlace(result: Record<string, unknown>): Place | null | GeoapifyError {
  const { lat, lon } = result;
  if (lat === undefined && lon === undefined) {
    return null;
  }
  if (!isFiniteNumber(lat) || !isFiniteNumber(lon)) {
    return new GeoapifyError("malformed", undefined, "result with an unusable coordinate");
  }
  const place: Place = { lat, lon };
  for (const field of TEXT_FIELDS) {
    const value = result[field];
    if (typeof value === "string") place[field] = value;
  }
  if (isFiniteNumber(result.distance)) place.distance = result.distance;
  const { rank, timezone, datasource } = result;
  if (isRecord(rank)) {
    for (const field of RANK_NUMBERS) {
      const value = rank[field];
      if (isFiniteNumber(value)) place[field] = value;
    }
    if (typeof rank.match_type === "string") place.match_type = rank.match_type;
  }
  if (isRecord(timezone) && typeof timezone.name === "string") place.timezone = timezone.name;
  if (isRecord(datasource) && typeof datasource.attribution === "string") {
    place.attribution = datasource.attribution;
  }
  return place;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
