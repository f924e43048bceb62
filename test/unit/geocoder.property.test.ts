import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GeocodeCache } from "../../src/cache/geocode-cache";
import type { ClientEvent } from "../../src/geoapify/client";
import { GeoapifyError, type GeoapifyErrorKind } from "../../src/geoapify/errors";
import { GeoBatchStoppedError, Geocoder } from "../../src/runtime/geocoder";
import { subscribe, type TelemetryEvent } from "../../src/runtime/telemetry";
import { memoryStore, Settings, SETTING_KEYS } from "../../src/settings/settings";
import {
  answerFor,
  FakeGeoapify,
  normalisedAddress,
  type Behaviour,
  type ReceivedRequest,
  type ScriptStep,
} from "./support/fake-geoapify";

// The real Geocoder (settings, memory-only cache, batcher, Geoapify client, ky) driven by random
// interleavings of cell calls, cancellations, fake time, close() and a misbehaving in-memory
// Geoapify, checked against what GEO.LOCATION promises once everything has drained. Seeded, so a
// failure reproduces; the example tests below pin down the cases that are easiest to state.

const API_KEY = "k-secret-123";
const ORIGIN = "http://127.0.0.1:9";
/** Small, so that a job that never finishes fails (and the run drains) within seconds. */
const JOB_TIMEOUT_MS = 5_000;
/** Below the longest latency the script can draw, so ky's per-request timeout fires too. */
const REQUEST_TIMEOUT_MS = 2_000;
const QUOTA_COOLDOWN_MS = 3_000;
/**
 * Fake time the drain may take after the last command: the batches in flight, then one batch of
 * everything still queued (two after a burst), each bounded by the job timeout.
 */
const DRAIN_LIMIT_MS = 60_000;

// Captured before any test installs the fake clock. One macrotask lets every microtask chain
// (settings reads, ky, Response bodies) run to its end, so between steps the only pending work is
// on the fake clock and a call's recorded status is its real status.
const realSetImmediate = setImmediate;
const quiesce = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

/** Publish and subscribe go through globalThis; Node has no window, so give it one target. */
const telemetryTarget = new EventTarget();
beforeAll(() => {
  vi.stubGlobal("addEventListener", telemetryTarget.addEventListener.bind(telemetryTarget));
  vi.stubGlobal("removeEventListener", telemetryTarget.removeEventListener.bind(telemetryTarget));
  vi.stubGlobal("dispatchEvent", telemetryTarget.dispatchEvent.bind(telemetryTarget));
});
afterAll(() => {
  vi.unstubAllGlobals();
});

// Four streets that exist and two that do not ("nowhere" is never found, see answerFor), with
// four house numbers each: few enough keys that calls share them, enough that batches keep
// forming after the first answers are cached.
const PLACES = [
  "Wall Street New York",
  "Baker St London",
  "Rue de Rivoli Paris",
  "Bahnhofstrasse Zürich",
  "Nowhere Lane",
  "Atlantis nowhere",
] as const;

/** A spelling of `place` that Geoapify treats as the same address: case and spacing vary. */
function spell(place: string, variant: number): string {
  const mixed = Array.from(place, (char, i) => (i % 2 ? char.toLowerCase() : char.toUpperCase()));
  const cased = [place, place.toLowerCase(), place.toUpperCase(), mixed.join("")][variant % 4];
  const spaced = variant & 4 ? cased.replace(/ /g, "  ") : cased;
  return variant & 8 ? ` ${spaced}\t` : spaced;
}

interface RunConfig {
  windowMs: number;
  maxConcurrentJobs: number;
  pollInitialDelayMs: number;
  retryBaseDelayMs: number;
  maxAttempts: number;
  /** The client's retry jitter, fixed per run. */
  jitter: number;
}

type Command =
  | { kind: "locate"; address: string; cancellable: boolean }
  /** A call whose signal is aborted in the same tick, before any time passes. */
  | { kind: "locate-cancelled"; address: string }
  /** Aborts the controller of a random earlier call, pending or not. */
  | { kind: "cancel"; pick: number }
  | { kind: "advance"; ms: number };

const addressArbitrary = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom(...PLACES), fc.nat(15))
  .map(([number, place, variant]) => spell(`${number} ${place}`, variant));

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("locate" as const),
      address: addressArbitrary,
      cancellable: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("locate-cancelled" as const),
      address: addressArbitrary,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 250 }) },
        { weight: 1, arbitrary: fc.integer({ min: 250, max: 6_000 }) }
      ),
    }),
  }
);

const behaviourArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Behaviour>("ok") },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Behaviour>("reorder", "rate-limit", "server-error", "drop"),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Behaviour>(
      "immediate",
      "truncate",
      "extend",
      "malformed",
      "never-finish",
      "quota",
      "auth",
      "lost-job"
    ),
  }
);

const scriptArbitrary: fc.Arbitrary<ScriptStep[]> = fc.array(
  fc.record({
    behaviour: behaviourArbitrary,
    latencyMs: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 150 }) },
      // Longer than REQUEST_TIMEOUT_MS: ky gives up on the request.
      { weight: 1, arbitrary: fc.integer({ min: 1_900, max: 2_600 }) }
    ),
    jobMs: fc.integer({ min: 0, max: 3_000 }),
    variant: fc.nat(31),
  }),
  { maxLength: 40, size: "max" }
);

const configArbitrary: fc.Arbitrary<RunConfig> = fc.record({
  windowMs: fc.integer({ min: 0, max: 100 }),
  maxConcurrentJobs: fc.integer({ min: 1, max: 3 }),
  pollInitialDelayMs: fc.integer({ min: 10, max: 400 }),
  retryBaseDelayMs: fc.integer({ min: 1, max: 300 }),
  maxAttempts: fc.integer({ min: 1, max: 4 }),
  jitter: fc.constantFrom(0, 0.5, 0.999),
});

/** The reason a test aborts a call with, so that its rejection can be traced to the call. */
class CancelledByTest extends Error {
  constructor(readonly callIndex: number) {
    super(`call ${callIndex} cancelled`);
  }
}

interface CallRecord {
  index: number;
  address: string;
  step: number;
  controller?: AbortController;
  /** Aborted in the same tick as it was made. */
  cancelledAtOnce: boolean;
  /** Aborted later, while it was (quiescently) pending. */
  cancelledWhilePending: boolean;
  /** Pending, and not cancelled, when close() was called. */
  pendingAtClose: boolean;
  madeAfterClose: boolean;
  status: "pending" | "fulfilled" | "rejected";
  value?: unknown;
  reason?: unknown;
}

/** What the batcher's live callers were when it cut a batch (from its "dispatched" event). */
interface DispatchSnapshot {
  sequence: number;
  size: number;
  wantedKeys: ReadonlySet<string>;
}

function makeGeocoder(
  server: FakeGeoapify,
  config: Partial<RunConfig> = {},
  onClientEvent?: (event: ClientEvent) => void
): Geocoder {
  return new Geocoder({
    settings: new Settings({
      store: memoryStore({
        [SETTING_KEYS.apiKey]: API_KEY,
        [SETTING_KEYS.baseUrl]: ORIGIN,
        [SETTING_KEYS.jobTimeoutMs]: String(JOB_TIMEOUT_MS),
      }),
    }),
    cache: GeocodeCache.open({ indexedDB: null }),
    windowMs: config.windowMs ?? 20,
    maxConcurrentJobs: config.maxConcurrentJobs,
    client: {
      fetch: server.fetch,
      random: () => config.jitter ?? 0.5,
      pollInitialDelayMs: config.pollInitialDelayMs ?? 100,
      retryBaseDelayMs: config.retryBaseDelayMs ?? 50,
      maxAttempts: config.maxAttempts,
      maxRetryDelayMs: 2_000,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      quotaCooldownMs: QUOTA_COOLDOWN_MS,
      onEvent: onClientEvent,
    },
  });
}

/** The GeoapifyError kinds that what the server did can explain; "timeout" always can. */
function explainableKinds(server: FakeGeoapify): Set<GeoapifyErrorKind> {
  const kinds = new Set<GeoapifyErrorKind>(["timeout"]);
  const used = server.behavioursUsed;
  const statuses = [...server.statusesSent];
  if (server.requests.some((request) => request.endedAt !== undefined && !request.answered)) {
    kinds.add("network");
  }
  if (statuses.includes(401)) kinds.add("auth");
  if (used.has("quota")) kinds.add("quota");
  if (used.has("rate-limit")) kinds.add("rate-limit");
  if (statuses.some((status) => status >= 500 || status === 404)) kinds.add("server");
  if (used.has("malformed") || used.has("truncate")) kinds.add("malformed");
  return kinds;
}

/** Everywhere the key could leak from an error: message, stack, own properties, causes. */
function leaksKey(value: unknown): boolean {
  for (let error = value, depth = 0; error !== undefined && depth < 5; depth++) {
    if (!(error instanceof Error)) return String(error).includes(API_KEY);
    const text = [error.message, String(error.stack), JSON.stringify(error)].join("\n");
    if (text.includes(API_KEY)) return true;
    error = error.cause;
  }
  return false;
}

const sameKeys = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length &&
  a.every((address, i) => normalisedAddress(address) === normalisedAddress(b[i]));

async function run(
  config: RunConfig,
  script: ScriptStep[],
  commands: Command[],
  closeAfterStep: number | null,
  burstAtStep: number | null
): Promise<void> {
  let sequence = 0;
  const nextSequence = () => ++sequence;
  const server = new FakeGeoapify({ apiKey: API_KEY, origin: ORIGIN, script, nextSequence });
  const clientEvents: ClientEvent[] = [];
  const telemetry: TelemetryEvent[] = [];
  const calls: CallRecord[] = [];
  const dispatches: DispatchSnapshot[] = [];
  const violations: string[] = [];
  let step = 0;
  let requestsAtClose: number | undefined;
  let closing: Promise<void> | undefined;

  const wantedKeys = (): Set<string> =>
    new Set(
      calls
        .filter((call) => call.status === "pending" && !call.controller?.signal.aborted)
        .map((call) => normalisedAddress(call.address))
    );
  const unsubscribe = subscribe((event) => {
    telemetry.push(event);
    if (event.type === "dispatched") {
      dispatches.push({ sequence: nextSequence(), size: event.size, wantedKeys: wantedKeys() });
    }
  });
  const geocoder = makeGeocoder(server, config, (event) => clientEvents.push(event));

  const locate = (address: string, controller?: AbortController): CallRecord => {
    const call: CallRecord = {
      index: calls.length,
      address,
      step,
      controller,
      cancelledAtOnce: false,
      cancelledWhilePending: false,
      pendingAtClose: false,
      madeAfterClose: closing !== undefined,
      status: "pending",
    };
    calls.push(call);
    geocoder.locate(address, controller?.signal).then(
      (value) => Object.assign(call, { status: "fulfilled", value }),
      (reason: unknown) => Object.assign(call, { status: "rejected", reason })
    );
    return call;
  };

  /** Closes the geocoder; nothing may stay scheduled once close() has resolved. */
  const close = async (): Promise<void> => {
    for (const call of calls) {
      if (call.status === "pending" && !call.controller?.signal.aborted) call.pendingAtClose = true;
    }
    requestsAtClose = server.requests.length;
    closing = geocoder.close();
    await closing;
    // Cache hits report on a 0 ms timer, which is due at once.
    await vi.advanceTimersByTimeAsync(0);
    await quiesce();
    if (vi.getTimerCount() !== 0) violations.push(`${vi.getTimerCount()} timers left by close()`);
  };

  const allSettled = (): boolean => calls.every((call) => call.status !== "pending");

  try {
    for (const command of commands) {
      step++;
      switch (command.kind) {
        case "locate":
          locate(command.address, command.cancellable ? new AbortController() : undefined);
          break;
        case "locate-cancelled": {
          const call = locate(command.address, new AbortController());
          call.cancelledAtOnce = true;
          call.controller?.abort(new CancelledByTest(call.index));
          break;
        }
        case "cancel": {
          const cancellable = calls.filter((call) => call.controller?.signal.aborted === false);
          const call = cancellable[command.pick % Math.max(cancellable.length, 1)];
          if (call === undefined) break;
          call.cancelledWhilePending = call.status === "pending";
          call.controller?.abort(new CancelledByTest(call.index));
          break;
        }
        case "advance":
          await vi.advanceTimersByTimeAsync(command.ms);
          break;
      }
      if (step === burstAtStep) {
        // More distinct addresses than one job takes: the batcher must split them.
        for (let i = 0; i < 1_003; i++) locate(`${i} Burst Road`);
      }
      await quiesce();
      if (step === closeAfterStep) await close();
    }

    // Drain: let fake time pass until every call has settled, within a bound that covers the job
    // timeout of every batch still to run.
    for (let waited = 0; !allSettled() && waited < DRAIN_LIMIT_MS; waited += 1_000) {
      await vi.advanceTimersByTimeAsync(1_000);
      await quiesce();
    }
    for (const call of calls) {
      if (call.status === "pending") {
        violations.push(`call ${call.index} (${call.address}) never settled`);
      }
    }

    // Idle: nothing may be scheduled (but the cache-hit telemetry, due now), and nothing may
    // happen any more.
    await vi.advanceTimersByTimeAsync(0);
    await quiesce();
    if (vi.getTimerCount() !== 0) violations.push(`${vi.getTimerCount()} timers left when idle`);
    if (server.openRequests !== 0) violations.push(`${server.openRequests} requests left open`);
    const requestsWhenSettled = server.requests.length;
    await vi.advanceTimersByTimeAsync(JOB_TIMEOUT_MS);
    await quiesce();
    if (server.requests.length !== requestsWhenSettled) violations.push("requests while idle");

    if (closing === undefined) await close();
    await vi.advanceTimersByTimeAsync(JOB_TIMEOUT_MS);
    await quiesce();
    if (server.requests.length !== requestsAtClose) {
      violations.push(`${server.requests.length - (requestsAtClose ?? 0)} requests after close()`);
    }
  } finally {
    unsubscribe();
  }

  violations.push(
    ...checkCalls(calls, explainableKinds(server)),
    ...checkRequests(server.requests, calls, dispatches),
    ...checkKeyNeverLeaks(calls, server.requests, telemetry, clientEvents)
  );
  expect(violations).toEqual([]);
}

/** Invariants 1 and 7: every call settled once, with the right value or a documented error. */
function checkCalls(calls: readonly CallRecord[], explainable: Set<GeoapifyErrorKind>): string[] {
  const violations: string[] = [];
  for (const call of calls) {
    const label = `call ${call.index} (${JSON.stringify(call.address)}, step ${call.step})`;
    const expected = answerFor(call.address);
    const rightValue = call.status === "fulfilled" && isDeepStrictEqual(call.value, expected);
    const ownCancellation =
      call.status === "rejected" &&
      call.reason instanceof CancelledByTest &&
      call.reason.callIndex === call.index;
    const stopped = call.status === "rejected" && call.reason instanceof GeoBatchStoppedError;

    if (call.madeAfterClose) {
      // A closed batcher refuses the call before it looks at the signal.
      if (!stopped && !ownCancellation && !rightValue) {
        violations.push(`${label}: ${outcomeOf(call)} after close()`);
      }
    } else if (call.cancelledAtOnce) {
      // A cancelled call may still be answered from the cache, which needs no waiting at all.
      if (!ownCancellation && !rightValue) {
        violations.push(`${label}: ${outcomeOf(call)} after cancel`);
      }
    } else if (call.cancelledWhilePending) {
      if (!ownCancellation) {
        violations.push(`${label}: ${outcomeOf(call)} instead of its cancellation`);
      }
    } else if (call.pendingAtClose) {
      if (!stopped) violations.push(`${label}: ${outcomeOf(call)} instead of GeoBatchStoppedError`);
    } else if (call.status === "fulfilled") {
      if (!rightValue) {
        violations.push(`${label}: got ${outcomeOf(call)}, expected ${JSON.stringify(expected)}`);
      }
    } else if (call.status === "rejected") {
      const reason = call.reason;
      if (!(reason instanceof GeoapifyError) || !explainable.has(reason.kind)) {
        violations.push(`${label}: ${outcomeOf(call)}, which the server cannot explain`);
      }
    }
  }
  return violations;
}

/** Invariants 2, 3 and 4, read off what the server received. */
function checkRequests(
  requests: readonly ReceivedRequest[],
  calls: readonly CallRecord[],
  dispatches: readonly DispatchSnapshot[]
): string[] {
  const violations: string[] = [];
  const posts = requests.filter((request) => request.method === "POST");
  // Keys that some call wanted beyond the tick it was made in.
  const everWanted = new Set(
    calls.filter((call) => !call.cancelledAtOnce).map((call) => normalisedAddress(call.address))
  );
  for (const [index, post] of posts.entries()) {
    const addresses = post.addresses;
    if (addresses === undefined) {
      violations.push(`POST ${index} body is not a JSON array of strings: ${post.body}`);
      continue;
    }
    const keys = addresses.map(normalisedAddress);
    if (addresses.length === 0 || addresses.length > 1000) {
      violations.push(`POST ${index} carries ${addresses.length} addresses`);
    }
    if (new Set(keys).size !== keys.length) violations.push(`POST ${index} repeats an address`);
    for (const key of keys) {
      if (!everWanted.has(key)) violations.push(`POST ${index} sends ${key}, cancelled at once`);
    }
    const cutFor = dispatches.some(
      (dispatch) =>
        dispatch.sequence < post.startedAt &&
        dispatch.size === keys.length &&
        keys.every((key) => dispatch.wantedKeys.has(key))
    );
    if (!cutFor) violations.push(`POST ${index} sends addresses nobody wanted at dispatch`);
  }
  // A POST without an answer may have created the job: sending it again could bill every address
  // twice. The same addresses may only come back in a batch cut after that POST ended.
  for (const [index, lost] of posts.entries()) {
    if (lost.answered || lost.addresses === undefined || lost.endedAt === undefined) continue;
    const lostEndedAt = lost.endedAt;
    for (const later of posts.slice(index + 1)) {
      if (later.addresses === undefined || !sameKeys(later.addresses, lost.addresses)) continue;
      const newBatch = dispatches.some(
        (dispatch) =>
          dispatch.sequence > lostEndedAt &&
          dispatch.sequence < later.startedAt &&
          dispatch.size === lost.addresses?.length
      );
      if (!newBatch) violations.push(`POST ${index} was sent again after it got no answer`);
    }
  }
  return violations;
}

/** Invariant 5: the key is in request URLs' apiKey parameter and nowhere else. */
function checkKeyNeverLeaks(
  calls: readonly CallRecord[],
  requests: readonly ReceivedRequest[],
  telemetry: readonly TelemetryEvent[],
  clientEvents: readonly ClientEvent[]
): string[] {
  const violations: string[] = [];
  for (const call of calls) {
    if (call.status === "rejected" && leaksKey(call.reason)) {
      violations.push(`call ${call.index} rejected with the key: ${String(call.reason)}`);
    }
  }
  for (const event of [...telemetry, ...clientEvents]) {
    if (JSON.stringify(event).includes(API_KEY)) {
      violations.push(`event with the key: ${event.type}`);
    }
  }
  for (const [index, request] of requests.entries()) {
    const url = new URL(request.url);
    if (url.searchParams.get("apiKey") !== API_KEY) {
      violations.push(`request ${index} lacks the key`);
    }
    url.searchParams.delete("apiKey");
    const headers = JSON.stringify([...request.headers]);
    if ([url.href, headers, request.body ?? ""].some((text) => text.includes(API_KEY))) {
      violations.push(`request ${index} carries the key outside its apiKey parameter`);
    }
  }
  return violations;
}

function outcomeOf(call: CallRecord): string {
  if (call.status === "pending") return "still pending";
  if (call.status === "fulfilled") return `value ${JSON.stringify(call.value)}`;
  const reason = call.reason;
  return reason instanceof GeoapifyError
    ? `GeoapifyError ${reason.kind} "${reason.message}"`
    : `${(reason as Error)?.name ?? typeof reason} ${String(reason)}`;
}

it("settles every call correctly under random calls, cancels, time, close() and server faults", async () => {
  await fc.assert(
    fc.asyncProperty(
      configArbitrary,
      scriptArbitrary,
      fc.array(commandArbitrary, { minLength: 1, maxLength: 80, size: "max" }),
      // Closing and bursts are the exception: most runs must drain normally.
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 80 }) }
      ),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 80 }) }
      ),
      async (config, script, commands, closeAfterStep, burstAtStep) => {
        vi.useFakeTimers();
        try {
          await run(config, script, commands, closeAfterStep, burstAtStep);
        } finally {
          vi.useRealTimers();
        }
      }
    ),
    // A passing run takes seconds; the limit only cuts short the shrinking of a failure, which
    // then still reports the smallest counterexample found so far.
    { seed: 20_250_301, numRuns: 200, interruptAfterTimeLimit: 25_000 }
  );
}, 35_000);

describe("the geocoder on the fake clock", () => {
  let server: FakeGeoapify;
  let geocoder: Geocoder;

  const start = (script: ScriptStep[] = []): void => {
    server = new FakeGeoapify({ apiKey: API_KEY, origin: ORIGIN, script });
    geocoder = makeGeocoder(server);
  };
  const posts = (): string[][] =>
    server.requests.flatMap((request) =>
      request.method === "POST" ? [request.addresses ?? []] : []
    );
  const step = (behaviour: Behaviour, options: Partial<ScriptStep> = {}): ScriptStep => ({
    behaviour,
    latencyMs: 5,
    // Done by the first poll, so that each step of a script answers the request it is meant for.
    jobMs: 0,
    variant: 0,
    ...options,
  });

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await geocoder.close();
    vi.useRealTimers();
  });

  /** Advances fake time until every promise has settled, within the drain limit. */
  async function outcomes<T>(promises: Array<Promise<T>>): Promise<PromiseSettledResult<T>[]> {
    let results: PromiseSettledResult<T>[] | undefined;
    void Promise.allSettled(promises).then((settled) => (results = settled));
    for (let waited = 0; results === undefined && waited < DRAIN_LIMIT_MS; waited += 100) {
      await vi.advanceTimersByTimeAsync(100);
      await quiesce();
    }
    if (results === undefined) throw new Error("the calls did not settle within the drain limit");
    return results;
  }
  const fulfilled = <T>(value: T): PromiseSettledResult<T> => ({ status: "fulfilled", value });
  const failedWith = (kind: GeoapifyErrorKind) => ({
    status: "rejected",
    reason: expect.objectContaining({ name: "GeoapifyError", kind }),
  });

  it("answers a cached address from any spelling without letting time pass", async () => {
    start();
    const address = "1 Wall Street New York";
    expect(await outcomes([geocoder.locate(address)])).toEqual([fulfilled(answerFor(address))]);
    const requests = server.requests.length;
    const startedAt = Date.now();

    let answer: unknown;
    void geocoder.locate("  1 WALL street   new york ").then((value) => (answer = value));
    await quiesce();

    expect(answer).toEqual(answerFor(address));
    expect(Date.now()).toBe(startedAt);
    expect(server.requests.length).toBe(requests);
  });

  it("sends 1,500 distinct addresses as jobs of 1,000 and 500, each address once", async () => {
    start();
    const addresses = Array.from({ length: 1_500 }, (_, i) => `${i} Burst Road`);
    const spellings = [...addresses, ...addresses.map((address) => ` ${address.toUpperCase()}`)];

    const results = await outcomes(spellings.map((address) => geocoder.locate(address)));

    expect(results).toEqual(spellings.map((address) => fulfilled(answerFor(address))));
    expect(posts().map((job) => job.length)).toEqual([1_000, 500]);
    expect(new Set(posts().flat()).size).toBe(1_500);
  });

  it("never resubmits a POST that got no answer, and a later call starts a new job", async () => {
    start([step("drop")]);
    const lost = await outcomes([
      geocoder.locate("1 Baker St London"),
      geocoder.locate("2 Nowhere Lane"),
    ]);
    expect(lost).toEqual([failedWith("network"), failedWith("network")]);
    expect(posts()).toEqual([["1 Baker St London", "2 Nowhere Lane"]]);

    // Failures are not cached: the next recalculation asks again, and gets the answer.
    expect(await outcomes([geocoder.locate("1 baker st london")])).toEqual([
      fulfilled(answerFor("1 Baker St London")),
    ]);
    expect(posts()).toHaveLength(2);
  });

  it("retries a poll that got no answer instead of failing the job", async () => {
    start([step("ok"), step("drop"), step("drop")]);
    const results = await outcomes([geocoder.locate("3 Rue de Rivoli Paris")]);
    expect(results).toEqual([fulfilled(answerFor("3 Rue de Rivoli Paris"))]);
    expect(server.requests.map((request) => [request.method, request.behaviour])).toEqual([
      ["POST", "ok"],
      ["GET", "drop"],
      ["GET", "drop"],
      ["GET", "ok"],
    ]);
  });

  it("never sends an address whose only call was cancelled in the tick it was made", async () => {
    start();
    const controller = new AbortController();
    const cancelled = geocoder.locate("4 Baker St London", controller.signal);
    const kept = geocoder.locate("4 Wall Street New York");
    const reason = new CancelledByTest(0);
    controller.abort(reason);

    expect(await outcomes([cancelled, kept])).toEqual([
      { status: "rejected", reason },
      fulfilled(answerFor("4 Wall Street New York")),
    ]);
    expect(posts()).toEqual([["4 Wall Street New York"]]);
  });

  it("lands reordered, re-spelled results on the right cells; a missing one fails alone", async () => {
    const addresses = ["1 Wall Street New York", "2 Baker St London", "3 Nowhere Lane"];
    start([
      step("ok"),
      step("reorder", { variant: 3 }),
      step("ok"),
      step("truncate", { variant: 1 }),
    ]);
    const reordered = await outcomes(addresses.map((address) => geocoder.locate(address)));
    expect(reordered).toEqual(addresses.map((address) => fulfilled(answerFor(address))));
    expect(server.requests.map((request) => request.behaviour)).toEqual(["ok", "reorder"]);

    const others = addresses.map((address) => address.replace(/^\d/, "4"));
    const truncated = await outcomes(others.map((address) => geocoder.locate(address)));
    expect(truncated).toEqual([
      fulfilled(answerFor(others[0])),
      failedWith("malformed"),
      fulfilled(answerFor(others[2])),
    ]);
    expect(server.requests.map((request) => request.behaviour).slice(2)).toEqual([
      "ok",
      "truncate",
    ]);
  });

  it("stops sending once Geoapify reports the quota spent, until the cooldown has passed", async () => {
    start([step("quota")]);
    expect(await outcomes([geocoder.locate("1 Rue de Rivoli Paris")])).toEqual([
      failedWith("quota"),
    ]);
    expect(await outcomes([geocoder.locate("2 Rue de Rivoli Paris")])).toEqual([
      failedWith("quota"),
    ]);
    expect(server.requests).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(QUOTA_COOLDOWN_MS);
    expect(await outcomes([geocoder.locate("2 Rue de Rivoli Paris")])).toEqual([
      fulfilled(answerFor("2 Rue de Rivoli Paris")),
    ]);
  });

  it("close() while a job runs: every call stops, nothing more is sent, no timer is left", async () => {
    start([step("ok", { jobMs: 3_000 })]);
    const calls = ["1 Bahnhofstrasse Zürich", "2 Bahnhofstrasse Zürich"].map((address) =>
      geocoder.locate(address)
    );
    await vi.advanceTimersByTimeAsync(1_000);
    const requests = server.requests.length;
    expect(requests).toBeGreaterThan(1);

    await geocoder.close();
    const late = geocoder.locate("3 Bahnhofstrasse Zürich");

    const stopped = { status: "rejected", reason: expect.any(GeoBatchStoppedError) };
    expect(await outcomes([...calls, late])).toEqual([stopped, stopped, stopped]);
    await vi.advanceTimersByTimeAsync(JOB_TIMEOUT_MS);
    expect(server.requests).toHaveLength(requests);
    expect(server.openRequests).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
