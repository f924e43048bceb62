// One cell's call, the same for every function: validate, ask the runtime, shape the answer, and
// on the way out map any failure to a cell error and report the call to telemetry. Functions pass
// only what differs between them: their name, the arguments that identify the place, and a body.

import { lookupKey, type Lookup } from "../places/lookup";
import type { Place } from "../places/place";
import { geocoder } from "../runtime/runtime";
import { publish, type CellEvent } from "../runtime/telemetry";
import { cellErrorOf } from "./errors";
import { classifyFailure, NoMatchError } from "./failures";

/** Looks a place up for this cell; a lookup Geoapify cannot match rejects with NoMatchError. */
export type Ask = (lookup: Lookup) => Promise<Place>;

/** Longest input text a telemetry event carries. */
const INPUT_LENGTH = 200;

/**
 * Runs `body` for one cell. The body validates its arguments before it calls `ask`, so invalid
 * input throws before anything is looked up. `subject` is what the cell asks about (an address,
 * a coordinate), as typed, for telemetry.
 */
export async function call<T>(
  fn: string,
  invocation: CustomFunctions.CancelableInvocation,
  subject: readonly unknown[],
  body: (ask: Ask) => T | Promise<T>
): Promise<T> {
  const cancellation = new AbortController();
  invocation.onCanceled = () => cancellation.abort();
  const places: Place[] = [];
  const keys: string[] = [];
  const ask: Ask = async (lookup) => {
    keys.push(lookupKey(lookup));
    const place = await geocoder.lookup(lookup, {
      signal: cancellation.signal,
      preview: isValuePreview(invocation),
    });
    if (!place) throw new NoMatchError(lookup);
    places.push(place);
    return place;
  };
  const event: CellEvent = {
    type: "cell",
    cell: invocation.address,
    fn,
    input: describe(subject),
    ok: false,
  };
  try {
    const value = await body(ask);
    publish({
      ...event,
      ok: true,
      keys,
      ...(places.length === 1 ? placeSummary(places[0]) : {}),
    });
    return value;
  } catch (error) {
    const failure = classifyFailure(error);
    const cellError = cellErrorOf(failure);
    publish({ ...event, keys, message: cellError.message, reason: failure.kind });
    throw cellError;
  }
}

/**
 * Excel's formula value preview (CustomFunctionsRuntime 1.5). The typings declare the flag as a
 * string while Microsoft's page documents a boolean, so both spellings of true count; an absent
 * flag is not a preview.
 */
function isValuePreview(invocation: CustomFunctions.Invocation): boolean {
  const flag: unknown = invocation.isInValuePreview;
  return flag === true || flag === "true";
}

function placeSummary(place: Place): Partial<CellEvent> {
  return {
    lat: place.lat,
    lon: place.lon,
    confidence: place.confidence,
    formatted: place.formatted,
    matchType: place.match_type,
  };
}

/** The arguments that name the place, as short text: "Paris", "48.85, 2.35", "(51.5, -0.12)". */
function describe(subject: readonly unknown[]): string {
  const text = subject
    .map((value) =>
      Array.isArray(value) && value.flat().length !== 1
        ? `(${value.flat().join(", ")})`
        : String(Array.isArray(value) ? value.flat()[0] : (value ?? ""))
    )
    .join(", ");
  return text.length > INPUT_LENGTH ? `${text.slice(0, INPUT_LENGTH - 1)}…` : text;
}
