// What the fake Geoapify answers, in Geoapify's wire format: the place an address or a
// coordinate resolves to (a pure function of its text, so a test knows every right value without
// asking the fake), the result, pending and error bodies, and the ways a script step bends them.

import type {
  ApiErrorBody,
  BatchJobPending,
  BatchResult,
  ReverseBatchResult,
} from "../../../src/geoapify/types";
import type { ScriptStep } from "./fake-geoapify";

/** Trimmed, whitespace collapsed, lower-cased: the identity of an address. */
export function normalisedAddress(text: string): string {
  return text.trim().replace(/\s+/g, " ").toLowerCase();
}

/** Addresses containing the word "nowhere" are never found; all others are. */
const NEVER_FOUND = /\bnowhere\b/;

/** The place every server run answers for `text`: null for "not found". */
export function answerFor(text: string): { lat: number; lon: number } | null {
  const key = normalisedAddress(text);
  if (NEVER_FOUND.test(key)) return null;
  const hash = fnv1a(key);
  // Six decimals, as Geoapify sends: the cache must hand back exactly these doubles.
  return {
    lat: Math.round(((hash % 180_000_000) / 1_000_000 - 90) * 1e6) / 1e6,
    lon: Math.round((((hash >>> 3) % 360_000_000) / 1_000_000 - 180) * 1e6) / 1e6,
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The place every reverse job answers for "lat,lon": the point itself, named after it. */
export function reverseAnswerFor(input: string): ReverseBatchResult {
  const [lat, lon] = input.split(",").map(Number);
  return {
    query: { lon, lat },
    lat,
    lon,
    formatted: `Near ${input}`,
    name: `Point ${input}`,
    category: "building",
    distance: 12.5,
    result_type: "building",
    datasource: { sourcename: "openstreetmap", attribution: "© OpenStreetMap contributors" },
  };
}

export function reverseResultFor(input: string): ReverseBatchResult {
  return reverseAnswerFor(input);
}

/** A reverse body, `[[lon, lat], ...]`, as "lat,lon" inputs; undefined when it is not one. */
export function coordinates(body: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const pairs = Array.isArray(parsed) ? parsed : [];
    const valid = pairs.every(
      (pair) => Array.isArray(pair) && pair.length === 2 && pair.every(Number.isFinite)
    );
    return Array.isArray(parsed) && valid
      ? pairs.map(([lon, lat]: number[]) => `${lat},${lon}`)
      : undefined;
  } catch {
    return undefined;
  }
}

export function pendingJob(origin: string, id: string): BatchJobPending {
  return { id, status: "pending", url: `${origin}/v1/batch/geocode/search?id=${id}` };
}

export function resultFor(text: string): BatchResult {
  const place = answerFor(text);
  return place === null ? { query: { text } } : { query: { text }, ...place };
}

/** Bends a finished job's results the way the step says; the client must still match them. */
export function shapeResults(results: BatchResult[], step: ScriptStep): BatchResult[] {
  const { behaviour, variant } = step;
  if (behaviour === "truncate") {
    return results.filter((_, index) => index !== variant % results.length);
  }
  if (behaviour === "extend") {
    return [...results, resultFor(`${variant} Unrequested Road`)];
  }
  if (behaviour !== "reorder") return results;
  const shift = variant % results.length;
  const rotated = [...results.slice(shift), ...results.slice(0, shift)];
  const ordered = variant & 1 ? rotated.reverse() : rotated;
  // A server may echo the query re-spelled; matching must tolerate case and spacing.
  return variant & 2
    ? ordered.map((result) => ({
        ...result,
        query: { text: ` ${result.query.text.toUpperCase()}  ` },
      }))
    : ordered;
}

export function stringArray(body: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === "string")
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

export const JSON_HEADERS = { "Content-Type": "application/json" };

export function jsonAnswer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

/** Geoapify's error body; a 404 comes without a message. */
export function errorAnswer(
  status: number,
  message?: string,
  headers: Record<string, string> = {}
) {
  const error =
    status === 429
      ? "Too Many Requests"
      : status === 404
        ? "Not Found"
        : status >= 500
          ? "Server Error"
          : "Error";
  const body: Partial<ApiErrorBody> = { statusCode: status, error, message };
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** Waits `ms` of (fake) time, none for 0; rejects with the signal's reason as soon as it aborts. */
export function delay(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    if (ms <= 0) {
      resolve();
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The same answer with only the first half of its body, as a connection cut mid-answer leaves it. */
export async function cutOff(response: Response): Promise<Response> {
  const text = await response.text();
  const { status, headers } = response;
  return new Response(text.slice(0, Math.floor(text.length / 2)), { status, headers });
}
