// Geoapify's raw result objects, paired with the inputs they answer and shaped for each answer
// the gateway gives. The cache keeps raw objects, so a batch answer and a single answer are made
// from the same record.

import { JOB_KINDS } from "../geoapify/job-kinds";
import type { LookupKind } from "../places/lookup";

export interface CachedAnswer {
  key: string;
  json: string;
  found: boolean;
}

type Result = Record<string, unknown> & { query?: Record<string, unknown> };

/** Items are "lookupKey\ninput". Search pairs by `query.text`, reverse by position. */
export function pairResults(
  kind: LookupKind,
  items: readonly string[],
  body: unknown
): CachedAnswer[] {
  const results = (Array.isArray(body) ? body : []).filter(isRecord) as Result[];
  const byText = new Map<string, Result>();
  if (kind === "search") {
    for (const result of results) {
      const text = result.query?.text;
      if (typeof text === "string") byText.set(JOB_KINDS.search.inputKey(text), result);
    }
  }
  return items.map((item, index) => {
    const at = item.indexOf("\n");
    const key = item.slice(0, at);
    const input = item.slice(at + 1);
    const result =
      kind === "search" ? byText.get(JOB_KINDS.search.inputKey(input)) : results[index];
    // No answer for this input: remembered as not found, for the not-found lifetime only.
    const answer = result ?? { query: kind === "search" ? { text: input } : {} };
    return { key, json: JSON.stringify(answer), found: typeof answer.lat === "number" };
  });
}

/** A cached result as one element of a batch answer, echoing this user's own input. */
export function batchElement(kind: LookupKind, json: string, input: string): Result {
  const result = JSON.parse(json) as Result;
  if (kind === "search") result.query = { ...result.query, text: input };
  return result;
}

/** A cached result as a single lookup's `format=json` answer. */
export function singleAnswer(kind: LookupKind, json: string, input: string): unknown {
  const { query, ...result } = JSON.parse(json) as Result;
  const found = typeof result.lat === "number";
  const echo = kind === "search" ? { ...query, text: input } : query;
  return { results: found ? [result] : [], query: echo };
}

/** The result to cache from a single lookup's upstream answer. */
export function fromSingleAnswer(kind: LookupKind, body: unknown, input: string): CachedAnswer {
  const answer = isRecord(body) ? body : {};
  const first = Array.isArray(answer.results) ? answer.results.find(isRecord) : undefined;
  const [lat, lon] = input.split(",").map(Number);
  const query = kind === "search" ? { ...(answer.query as object), text: input } : { lat, lon };
  const result: Result = { ...(first ?? {}), query };
  return { key: "", json: JSON.stringify(result), found: typeof result.lat === "number" };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
