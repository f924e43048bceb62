// Stand-ins for what the custom functions meet at run time, for tests under Node: Excel's
// CustomFunctions global and invocations, an Office host that answers isSetSupported, the page
// that carries telemetry events, and a geocoder double in place of the runtime's Geocoder.
// Codes are Excel's own strings, as @types/custom-functions-runtime declares them.

import { expect } from "vitest";
import { lookupKey, type Lookup } from "../../src/places/lookup";
import type { Place } from "../../src/places/place";
import { NotCachedError } from "../../src/runtime/errors";
import { subscribe, type TelemetryEvent } from "../../src/runtime/telemetry";

export class CellError extends Error {
  constructor(
    readonly code: string,
    message?: string
  ) {
    super(message);
  }
}

/** The CellError a call settled with (expected to be one). */
export async function cellError(result: Promise<unknown>): Promise<CellError> {
  const error = await result.then(
    () => undefined,
    (reason: unknown) => reason
  );
  expect(error).toBeInstanceOf(CellError);
  return error as CellError;
}

/** The forward lookups the functions tests answer: the landmarks of PLACES, by their spellings. */
export function forwardGeocoderDouble(): GeocoderDouble {
  return new GeocoderDouble()
    .answer(search("11 Wall Street New York"), PLACES.wallStreet)
    .answer(search("Buckingham Palace, London"), PLACES.buckingham)
    .answer(search("Buckingham Palace, London", { country: "gb" }), PLACES.buckingham)
    .answer(search("Paris", { country: "de,fr", language: "de" }), PLACES.paris)
    .answer(search("Paris, France"), PLACES.paris);
}

export function installCustomFunctionsStandIn(): void {
  Object.assign(globalThis, {
    CustomFunctions: {
      Error: CellError,
      ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A" },
    },
  });
}

export type TestInvocation = CustomFunctions.CancelableInvocation & { cancel(): void };

/** A cancelable invocation whose cancellation the test triggers, as Excel does on an edit. */
export function invocation(
  fields: { address?: string; isInValuePreview?: unknown } = {}
): TestInvocation {
  const call = {
    ...fields,
    onCanceled: undefined as (() => void) | undefined,
    cancel() {
      call.onCanceled?.();
    },
  };
  return call as unknown as TestInvocation;
}

/**
 * An Office host for the test's duration: `isSetSupported` answers `supported` for every set and
 * records what it was asked. Returns the questions and a function that removes the host.
 */
export function installOfficeHost(supported: boolean): {
  asked: Array<[string, string | undefined]>;
  uninstall(): void;
} {
  const asked: Array<[string, string | undefined]> = [];
  const isSetSupported = (name: string, version?: string) => {
    asked.push([name, version]);
    return supported;
  };
  Object.assign(globalThis, { Office: { context: { requirements: { isSetSupported } } } });
  return { asked, uninstall: () => void delete (globalThis as { Office?: unknown }).Office };
}

/**
 * Makes globalThis an event target, as the runtime page is, and collects the telemetry events
 * published from now on.
 */
export function collectTelemetry(): TelemetryEvent[] {
  if (typeof (globalThis as Partial<EventTarget>).dispatchEvent !== "function") {
    const page = new EventTarget();
    Object.assign(globalThis, {
      addEventListener: page.addEventListener.bind(page),
      removeEventListener: page.removeEventListener.bind(page),
      dispatchEvent: page.dispatchEvent.bind(page),
    });
  }
  const events: TelemetryEvent[] = [];
  subscribe((event) => events.push(event));
  return events;
}

export interface LookupRequest {
  lookup: Lookup;
  options: { signal?: AbortSignal; preview?: boolean; cell?: string };
}

/**
 * The runtime's Geocoder as the functions see it: `lookup` answers from a table the test fills,
 * null for anything else (Geoapify found nothing), and records every lookup it was asked for.
 * Like the runtime, a preview answers only what an earlier lookup already fetched ("cached")
 * and rejects NotCachedError otherwise; `failWith` makes every later lookup reject.
 */
export class GeocoderDouble {
  readonly requests: LookupRequest[] = [];
  private readonly places = new Map<string, Place>();
  private readonly cached = new Set<string>();
  private failure: unknown;

  answer(lookup: Lookup, place: Place): this {
    this.places.set(lookupKey(lookup), place);
    return this;
  }

  failWith(error: unknown): this {
    this.failure = error;
    return this;
  }

  /** Lookups asked for, as their keys: equal keys are one geocode. */
  keys(): string[] {
    return this.requests.map((request) => lookupKey(request.lookup));
  }

  async lookup(lookup: Lookup, options: LookupRequest["options"] = {}): Promise<Place | null> {
    this.requests.push({ lookup, options });
    // Settle on a later turn, as the real runtime does, so cancellation can race the answer.
    await Promise.resolve();
    if (options.signal?.aborted) throw options.signal.reason;
    if (this.failure !== undefined) throw this.failure;
    const key = lookupKey(lookup);
    if (options.preview && !this.cached.has(key)) throw new NotCachedError();
    this.cached.add(key);
    return this.places.get(key) ?? null;
  }
}

/** A forward lookup as the functions build it. */
export function search(input: string, options: Lookup["options"] = {}): Lookup {
  return { kind: "search", input, options };
}

/** Places shaped like Geoapify's results as parsed into Place records (real names and ids). */
export const PLACES = {
  buckingham: {
    lat: 51.50109,
    lon: -0.14184,
    formatted: "Buckingham Palace, Spur Road, London SW1A 1AA, United Kingdom",
    address_line1: "Buckingham Palace",
    address_line2: "Spur Road, London SW1A 1AA, United Kingdom",
    street: "Spur Road",
    suburb: "St. James's",
    district: "Westminster",
    postcode: "SW1A 1AA",
    city: "London",
    county: "Greater London",
    state: "England",
    state_code: "ENG",
    country: "United Kingdom",
    country_code: "gb",
    result_type: "amenity",
    confidence: 1,
    confidence_city_level: 1,
    confidence_street_level: 1,
    match_type: "full_match",
    timezone: "Europe/London",
    plus_code: "9C3XFVCR+FP",
    place_id: "51b1a1d0a4f528c2bf59f3c5c7a9c7c04940f00102f9010f0f1a0000000000c00203",
    attribution: "© OpenStreetMap contributors",
  },
  wallStreet: {
    lat: 40.7069,
    lon: -74.0113,
    formatted: "11 Wall Street, New York, NY 10005, United States of America",
    address_line1: "11 Wall Street",
    address_line2: "New York, NY 10005, United States of America",
    housenumber: "11",
    street: "Wall Street",
    postcode: "10005",
    city: "New York",
    state: "New York",
    state_code: "NY",
    country: "United States",
    country_code: "us",
    result_type: "building",
    confidence: 0.95,
    match_type: "match_by_building",
    timezone: "America/New_York",
    attribution: "© OpenAddresses contributors",
  },
  paris: {
    lat: 48.8534951,
    lon: 2.3483915,
    formatted: "Paris, Ile-de-France, France",
    address_line1: "Paris",
    address_line2: "Ile-de-France, France",
    city: "Paris",
    state: "Ile-de-France",
    country: "France",
    country_code: "fr",
    result_type: "city",
    confidence: 1,
    match_type: "full_match",
    timezone: "Europe/Paris",
    attribution: "© OpenStreetMap contributors",
  },
  london: {
    lat: 51.5073219,
    lon: -0.1276474,
    formatted: "London, ENG, United Kingdom",
    address_line1: "London",
    city: "London",
    country: "United Kingdom",
    country_code: "gb",
    result_type: "city",
    confidence: 1,
    match_type: "full_match",
    attribution: "© OpenStreetMap contributors",
  },
} satisfies Record<string, Place>;
