// A GeoapifyClient wired to the in-memory FakeGeoapify on Vitest's fake clock, recording every
// event and every collected job, for the client's unit tests.

import { vi } from "vitest";
import {
  GeoapifyClient,
  type ClientEvent,
  type GeoapifyClientOptions,
  type JobResult,
  type JobSpec,
} from "../../../src/geoapify/client";
import { FakeGeoapify, type FakeGeoapifyOptions } from "./fake-geoapify";

export const API_KEY = "test-key-5c1e0a9f7b";
export const ORIGIN = "http://127.0.0.1:9";

export interface Harness {
  fake: FakeGeoapify;
  client: GeoapifyClient;
  events: ClientEvent[];
  /** Every onResults delivery, in order. */
  collected: Array<{ job: JobSpec; results: readonly JobResult[] }>;
  /** Another client on the same fake (a reload, another key, another workbook). */
  another: (options?: Partial<GeoapifyClientOptions>) => GeoapifyClient;
}

const clients: GeoapifyClient[] = [];
// Captured at import, before a test installs the fake clock, which fakes setImmediate too.
const realSetImmediate = setImmediate;

export function harness(
  options: {
    fake?: Partial<FakeGeoapifyOptions>;
    client?: Partial<GeoapifyClientOptions>;
  } = {}
): Harness {
  const fake = new FakeGeoapify({ apiKey: API_KEY, origin: ORIGIN, ...options.fake });
  const events: ClientEvent[] = [];
  const collected: Harness["collected"] = [];
  const make = (extra: Partial<GeoapifyClientOptions> = {}) => {
    const client = new GeoapifyClient({
      baseUrl: ORIGIN,
      apiKey: API_KEY,
      fetch: fake.fetch,
      random: () => 0.5,
      rateChannel: () => undefined,
      onEvent: (event) => events.push(event),
      onResults: (job, results) => collected.push({ job, results }),
      ...options.client,
      ...extra,
    });
    clients.push(client);
    return client;
  };
  return { fake, client: make(), events, collected, another: make };
}

/** Closes every client the harness made; call in afterEach. */
export function closeClients(): void {
  for (const client of clients.splice(0)) client.close();
}

/** A promise's outcome, readable synchronously once fake time has run. */
export interface Outcome<T> {
  settled: boolean;
  value?: T;
  error?: unknown;
}

export function track<T>(promise: Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { settled: false };
  promise.then(
    (value) => Object.assign(outcome, { settled: true, value }),
    (error: unknown) => Object.assign(outcome, { settled: true, error })
  );
  return outcome;
}

/** Runs fake time forward, letting promise chains (fetch, Response bodies) run between timers. */
export async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

/** Lets real-loop work (crypto.subtle, IndexedDB) finish while the fake clock stands still. */
export async function flushRealWork(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) {
    await new Promise<void>((resolve) => realSetImmediate(resolve));
    await vi.advanceTimersByTimeAsync(0);
  }
}

/**
 * Real work (the key's SHA-256 runs on Node's thread pool) until `done()` holds: a busy machine
 * may need more turns than flushRealWork gives. Bounded, and throws naming `what` if it never does.
 */
export async function flushRealWorkUntil(done: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 100 && !done(); round++) await flushRealWork();
  if (!done()) throw new Error(`real work never finished: ${what}`);
}

export function ofType<T extends ClientEvent["type"]>(
  events: readonly ClientEvent[],
  type: T
): Array<Extract<ClientEvent, { type: T }>> {
  return events.filter((event): event is Extract<ClientEvent, { type: T }> => event.type === type);
}

export function search(inputs: string[], params: Record<string, string> = {}): JobSpec {
  return { kind: "search", params, inputs };
}
