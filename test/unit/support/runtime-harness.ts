// The real Geocoder (settings, memory-only cache, batchers, Geoapify client, fetch) wired to the
// in-memory FakeGeoapify on Vitest's fake clock, for the runtime's property and example tests.
// Only the settings store, the cache and the job store are handed in, so a test can "reload" the
// runtime: close one Geocoder and open another on the same settings and job store.

import { vi } from "vitest";
import { GeocodeCache } from "../../../src/cache/geocode-cache";
import type { GeoapifyClientOptions } from "../../../src/geoapify/client";
import { memoryJobStore, type JobStore } from "../../../src/geoapify/job-store";
import type { Lookup, LookupOptions } from "../../../src/places/lookup";
import { Geocoder } from "../../../src/runtime/geocoder";
import { subscribe, type TelemetryEvent } from "../../../src/runtime/telemetry";
import {
  memoryStore,
  Settings,
  SETTING_KEYS,
  type KeyValueStore,
} from "../../../src/settings/settings";
import { FakeGeoapify, type FakeGeoapifyOptions } from "./fake-geoapify";

export const API_KEY = "k-secret-123";
export const ORIGIN = "http://127.0.0.1:9";

// Captured at import, before a test installs the fake clock (which fakes setImmediate too).
const realSetImmediate = setImmediate;

/** One real macrotask: every microtask chain (settings reads, fetch, Response bodies) runs out. */
export function quiesce(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/**
 * Waits for real-loop work (crypto.subtle hashing the key) while the fake clock stands still:
 * resolves with `promise`'s outcome, or throws when it has not settled after `turns` macrotasks.
 */
export async function settleWithoutTime<T>(promise: Promise<T>, turns = 20_000): Promise<T> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true)
  );
  for (let turn = 0; turn < turns && !done; turn++) {
    await quiesce();
    await vi.advanceTimersByTimeAsync(0);
  }
  if (!done) throw new Error(`not settled after ${turns} macrotasks`);
  return promise;
}

/**
 * Advances fake time in `stepMs` steps until every promise has settled or `limitMs` has passed;
 * returns their outcomes, or throws naming how many are still pending.
 */
export async function drain<T>(
  promises: ReadonlyArray<Promise<T>>,
  limitMs = 300_000,
  stepMs = 100
): Promise<PromiseSettledResult<T>[]> {
  let results: PromiseSettledResult<T>[] | undefined;
  void Promise.allSettled(promises).then((settled) => (results = settled));
  await quiesce();
  for (let waited = 0; results === undefined && waited < limitMs; waited += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs);
    await quiesce();
  }
  if (results === undefined) throw new Error(`calls still pending after ${limitMs} ms`);
  return results;
}

export interface RuntimeSetup {
  /** Settings as stored, by name in SETTING_KEYS (strings, as the pane saves them). */
  settings?: Partial<Record<keyof typeof SETTING_KEYS, string>>;
  /** Reused across a "reload"; default a fresh memory store. */
  store?: KeyValueStore;
  /** Reused across a "reload"; default a fresh memory job store. */
  jobStore?: JobStore;
  client?: Partial<GeoapifyClientOptions>;
}

export interface Runtime {
  geocoder: Geocoder;
  /** The cache the geocoder uses, to read its entries directly. */
  cache: Promise<GeocodeCache>;
  store: KeyValueStore;
  jobStore: JobStore;
}

/** A Geocoder on `fake` with a memory cache, the fake clock's timers and no cross-runtime
 * channel; settings default to the test key and the fake's origin. */
export function openRuntime(fake: FakeGeoapify, setup: RuntimeSetup = {}): Runtime {
  const store =
    setup.store ??
    memoryStore({
      [SETTING_KEYS.apiKey]: API_KEY,
      [SETTING_KEYS.baseUrl]: ORIGIN,
    });
  for (const [name, value] of Object.entries(setup.settings ?? {})) {
    void store.setItem(SETTING_KEYS[name as keyof typeof SETTING_KEYS], value as string);
  }
  const jobStore = setup.jobStore ?? memoryJobStore();
  const cache = GeocodeCache.open({ indexedDB: null });
  const geocoder = new Geocoder({
    settings: new Settings({ store }),
    cache,
    jobStore: Promise.resolve(jobStore),
    client: {
      fetch: fake.fetch,
      random: () => 0.5,
      rateChannel: () => undefined,
      ...setup.client,
    },
  });
  return { geocoder, cache, store, jobStore };
}

/**
 * Opens the geocoder's connection for the saved key (hashing the key is real-loop work) without
 * moving the fake clock, so that later fake time is spent on requests, not on crypto.subtle.
 */
export async function connect(runtime: Runtime): Promise<Runtime> {
  await settleWithoutTime(runtime.geocoder.creditsToday());
  return runtime;
}

export function fakeGeoapify(options: Partial<FakeGeoapifyOptions> = {}): FakeGeoapify {
  return new FakeGeoapify({ apiKey: API_KEY, origin: ORIGIN, ...options });
}

/** A forward lookup as the functions build it (the address already cleaned). */
export function search(input: string, options: LookupOptions = {}): Lookup {
  return { kind: "search", options, input };
}

/** Collects telemetry published from now on; call the returned function to stop. */
export function recordTelemetry(): { events: TelemetryEvent[]; stop: () => void } {
  const events: TelemetryEvent[] = [];
  const stop = subscribe((event) => events.push(event));
  return { events, stop };
}

/** Publish and subscribe go through globalThis; Node has no window, so give it one target. */
export function installTelemetryTarget(): void {
  if (typeof (globalThis as Partial<EventTarget>).dispatchEvent === "function") return;
  const page = new EventTarget();
  Object.assign(globalThis, {
    addEventListener: page.addEventListener.bind(page),
    removeEventListener: page.removeEventListener.bind(page),
    dispatchEvent: page.dispatchEvent.bind(page),
  });
}

/** The cache key of a lookup answered through the fake's (custom) origin. */
export function cacheKeyOf(lookupKey: string): string {
  return `${ORIGIN} ${lookupKey}`;
}
