// The two kinds of batch job differ only in their path, how inputs are encoded in the POST body
// and how results are matched back to inputs. Everything else (submit, poll, retry, store) is one
// engine for both.

import { parseCoordinateInput } from "../places/lookup";
import type { Place } from "../places/place";
import { GeoapifyError } from "./errors";
import { isRecord, readResultArray, toPlace } from "./parse";

export type JobKind = "search" | "reverse";

type Matched = Place | null | GeoapifyError;

export interface JobKindSpec {
  /** Path under the base URL, for the submit and every poll. */
  path: string;
  /** The POST body for these inputs. */
  body(inputs: readonly string[]): unknown;
  /** The identity under which an input is matched and attached to a running job. */
  inputKey(input: string): string;
  /** One entry per input, in input order. Throws "malformed" when the answer cannot be paired. */
  match(json: unknown, inputs: readonly string[], status: number): Matched[];
}

const search: JobKindSpec = {
  path: "/v1/batch/geocode/search",
  body: (inputs) => inputs,
  inputKey: (input) => input.trim().replace(/\s+/g, " ").toLowerCase(),
  /**
   * Results are matched by their `query.text` echo, so an answer in another order still lands
   * on the right input; the positional match is only the fast path. An input with no matching
   * result gets its own "malformed" error: the other results are still trustworthy.
   */
  match(json, inputs, status) {
    const results = readResultArray(json, status);
    if (!results.every((result) => typeof queryText(result) === "string")) {
      throw new GeoapifyError("malformed", status, "search result without query.text");
    }
    let byText: Map<string, Record<string, unknown>> | undefined;
    return inputs.map((input, index) => {
      const key = search.inputKey(input);
      const sameIndex = results[index];
      if (sameIndex !== undefined && search.inputKey(queryText(sameIndex) as string) === key) {
        return toPlace(sameIndex);
      }
      byText ??= indexByText(results);
      const match = byText.get(key);
      return match === undefined
        ? new GeoapifyError("malformed", status, "no result for this input")
        : toPlace(match);
    });
  },
};

const reverse: JobKindSpec = {
  path: "/v1/batch/geocode/reverse",
  // Geoapify wants longitude first; inputs are "lat,lon" as the lookup module writes them.
  body: (inputs) =>
    inputs.map((input) => {
      const { lat, lon } = parseCoordinateInput(input);
      return [lon, lat];
    }),
  inputKey: (input) => input,
  /** A reverse query echoes no text, so results pair by position and must be as many. */
  match(json, inputs, status) {
    const results = readResultArray(json, status);
    if (results.length !== inputs.length) {
      throw new GeoapifyError("malformed", status, "reverse results do not match the inputs");
    }
    return results.map(toPlace);
  },
};

export const JOB_KINDS: Readonly<Record<JobKind, JobKindSpec>> = { search, reverse };

function queryText(result: Record<string, unknown>): unknown {
  return isRecord(result.query) ? result.query.text : undefined;
}

function indexByText(
  results: ReadonlyArray<Record<string, unknown>>
): Map<string, Record<string, unknown>> {
  const byText = new Map<string, Record<string, unknown>>();
  for (const result of results) {
    const key = search.inputKey(queryText(result) as string);
    if (!byText.has(key)) byText.set(key, result);
  }
  return byText;
}
