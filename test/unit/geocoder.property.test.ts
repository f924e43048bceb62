import fc from "fast-check";
import { expect, it, vi } from "vitest";
import type { LookupOptions } from "../../src/places/lookup";
import { subscribe, type TelemetryEvent } from "../../src/runtime/telemetry";
import { normalisedAddress, type Behaviour, type ScriptStep } from "./support/fake-geoapify";
import {
  CancelledByTest,
  checkCalls,
  checkCollected,
  checkKeyNeverLeaks,
  checkRequests,
  paramsOfUrl,
  type AcceptedJob,
  type CallRecord,
  type RunRecord,
} from "./support/geocoder-invariants";
import {
  connect,
  fakeGeoapify,
  installTelemetryTarget,
  openRuntime,
  quiesce,
  search,
} from "./support/runtime-harness";

// The real Geocoder (settings, memory-only cache, batchers, Geoapify client, fetch) driven by random
// interleavings of cell lookups, previews, cancellations, fake time, 429 outages, close() and a
// misbehaving in-memory Geoapify, then checked (support/geocoder-invariants.ts) against what the
// runtime promises once everything has drained: every call settles once with the right place or
// a documented error the fake explains (a 429 fails nothing unless 429s persist for the quota
// threshold), no request goes over the rate, nothing is paid twice, a job past the wait limit is
// collected into the cache, and close() leaves no timer. Seeded, so a failure reproduces.

/** Below the longest latency the script can draw, so the per-request timeout fires too. */
const REQUEST_TIMEOUT_MS = 2_000;
/** Fake time the drain may take after the last command (quota, outages and jobs included). */
const DRAIN_LIMIT_MS = 300_000;
/** Fake time background collection gets before the cache is checked. */
const BACKGROUND_MS = 20 * 60_000;

installTelemetryTarget();

// Four streets that exist and two that do not ("nowhere" is never found, see answerFor), with
// four house numbers each: few enough keys that calls share them and attach to running jobs.
const PLACES = [
  "Wall Street New York",
  "Baker St London",
  "Rue de Rivoli Paris",
  "Bahnhofstrasse Zürich",
  "Nowhere Lane",
  "Atlantis nowhere",
] as const;
/** Three job groups; the fake answers alike for all, so the expected place stays answerFor. */
const OPTION_SETS: readonly LookupOptions[] = [{}, { country: "de,fr" }, { language: "de" }];

/** A spelling of `place` that Geoapify treats as the same address: case and spacing vary. */
function spell(place: string, variant: number): string {
  const mixed = Array.from(place, (char, i) => (i % 2 ? char.toLowerCase() : char.toUpperCase()));
  const cased = [place, place.toLowerCase(), place.toUpperCase(), mixed.join("")][variant % 4];
  const spaced = variant & 4 ? cased.replace(/ /g, "  ") : cased;
  return variant & 8 ? ` ${spaced}\t` : spaced;
}

/** The functions clean an address before they ask: trimmed, inner spaces collapsed. */
const cleaned = (address: string) => address.trim().replace(/\s+/g, " ");

interface RunConfig {
  windowMs: number;
  ratePerSecond: number;
  jobTimeoutMs: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  maxAttempts: number;
  quotaAfterMs: number;
  probeIntervalMs: number;
  jitter: number;
}

type Command =
  | { kind: "lookup"; address: string; options: number; cancellable: boolean; preview: boolean }
  /** A call whose signal is aborted in the same tick, before any time passes. */
  | { kind: "lookup-cancelled"; address: string; options: number }
  /** Aborts the controller of a random earlier call, pending or not. */
  | { kind: "cancel"; pick: number }
  | { kind: "advance"; ms: number }
  /** Every request answered 429 for `ms`. */
  | { kind: "outage"; ms: number };

const addressArbitrary = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom(...PLACES), fc.nat(15))
  .map(([number, place, variant]) => spell(`${number} ${place}`, variant));
const optionsArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: OPTION_SETS.length - 1 }) }
);

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("lookup" as const),
      address: addressArbitrary,
      options: optionsArbitrary,
      cancellable: fc.boolean(),
      preview: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, fc.constant(true)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("lookup-cancelled" as const),
      address: addressArbitrary,
      options: optionsArbitrary,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 250 }) },
        { weight: 1, arbitrary: fc.integer({ min: 250, max: 12_000 }) }
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("outage" as const),
      ms: fc.integer({ min: 500, max: 30_000 }),
    }),
  }
);

const behaviourArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Behaviour>("ok") },
  {
    weight: 3,
    arbitrary: fc.constantFrom<Behaviour>("reorder", "rate-limit", "server-error", "drop", "quota"),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Behaviour>(
      "immediate",
      "truncate",
      "extend",
      "malformed",
      "cut-off",
      "never-finish",
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
      // Longer than REQUEST_TIMEOUT_MS: the transport gives up on the request.
      { weight: 1, arbitrary: fc.integer({ min: 1_900, max: 2_600 }) }
    ),
    // Some jobs outlast the wait limit and must be collected in the background.
    jobMs: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 3_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 40_000 }) }
    ),
    variant: fc.nat(31),
  }),
  { maxLength: 40, size: "max" }
);

const configArbitrary: fc.Arbitrary<RunConfig> = fc.record({
  windowMs: fc.integer({ min: 0, max: 100 }),
  ratePerSecond: fc.integer({ min: 1, max: 8 }),
  jobTimeoutMs: fc.integer({ min: 1_000, max: 20_000 }),
  retryBaseDelayMs: fc.integer({ min: 1, max: 1_000 }),
  maxRetryDelayMs: fc.integer({ min: 1_000, max: 8_000 }),
  maxAttempts: fc.integer({ min: 1, max: 4 }),
  // Shortened thresholds: the quota path is reachable within a run.
  quotaAfterMs: fc.integer({ min: 5_000, max: 20_000 }),
  probeIntervalMs: fc.integer({ min: 1_000, max: 10_000 }),
  jitter: fc.constantFrom(0, 0.5, 0.999),
});

async function run(
  config: RunConfig,
  script: ScriptStep[],
  commands: Command[],
  closeAfterStep: number | null,
  burstAtStep: number | null
): Promise<void> {
  let sequence = 0;
  const nextSequence = () => ++sequence;
  const fake = fakeGeoapify({ script, nextSequence });
  const jobs = new Map<string, AcceptedJob>();
  // The client's fetch, seeing what the client sees: the id of every job Geoapify accepted.
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const index = fake.requests.length;
    const response = await fake.fetch(input, init);
    const request = fake.requests[index];
    if (request.method === "POST" && response.status === 202) {
      const { id } = (await response.clone().json()) as { id: string };
      const keys = (request.addresses ?? []).map(normalisedAddress);
      jobs.set(id, { params: paramsOfUrl(request.url), keys, acceptedAt: nextSequence() });
    }
    return response;
  };
  const telemetry: Array<{ sequence: number; event: TelemetryEvent }> = [];
  const { geocoder } = await connect(
    openRuntime(fake, {
      settings: {
        windowMs: String(config.windowMs),
        ratePerSecond: String(config.ratePerSecond),
        jobTimeoutMs: String(config.jobTimeoutMs),
      },
      client: {
        fetch,
        random: () => config.jitter,
        retryBaseDelayMs: config.retryBaseDelayMs,
        maxRetryDelayMs: config.maxRetryDelayMs,
        maxAttempts: config.maxAttempts,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        quotaAfterMs: config.quotaAfterMs,
        probeIntervalMs: config.probeIntervalMs,
        maxProbeIntervalMs: config.probeIntervalMs * 4,
      },
    })
  );
  const calls: CallRecord[] = [];
  const violations: string[] = [];
  let closed = false;
  let requestsAtClose = 0;

  const lookup = (
    address: string,
    options: LookupOptions,
    extra: { controller?: AbortController; preview?: boolean } = {}
  ): CallRecord => {
    const call: CallRecord = {
      index: calls.length,
      address,
      options,
      sequence: nextSequence(),
      preview: extra.preview ?? false,
      controller: extra.controller,
      cancelledAtOnce: false,
      cancelledWhilePending: false,
      pendingAtClose: false,
      madeAfterClose: closed,
      status: "pending",
    };
    calls.push(call);
    geocoder
      .lookup(search(cleaned(address), options), {
        signal: extra.controller?.signal,
        preview: call.preview,
      })
      .then(
        (value) => Object.assign(call, { status: "fulfilled", value }),
        (reason: unknown) => Object.assign(call, { status: "rejected", reason })
      );
    return call;
  };

  /** Closes the geocoder; once in-flight answers have arrived, no timer may be left. */
  const close = async (): Promise<void> => {
    for (const call of calls) {
      if (call.status === "pending" && !call.controller?.signal.aborted) call.pendingAtClose = true;
    }
    closed = true;
    requestsAtClose = fake.requests.length;
    await geocoder.close();
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS + 1_000);
    await quiesce();
    if (vi.getTimerCount() !== 0) violations.push(`${vi.getTimerCount()} timers left by close()`);
  };
  const allSettled = () => calls.every((call) => call.status !== "pending");

  const unsubscribe = subscribe((event) => telemetry.push({ sequence: nextSequence(), event }));
  try {
    for (const [index, command] of commands.entries()) {
      const step = index + 1;
      switch (command.kind) {
        case "lookup": {
          const controller = command.cancellable ? new AbortController() : undefined;
          lookup(command.address, OPTION_SETS[command.options], {
            controller,
            preview: command.preview,
          });
          break;
        }
        case "lookup-cancelled": {
          const controller = new AbortController();
          const call = lookup(command.address, OPTION_SETS[command.options], { controller });
          call.cancelledAtOnce = true;
          controller.abort(new CancelledByTest(call.index));
          break;
        }
        case "cancel": {
          const live = calls.filter((call) => call.controller?.signal.aborted === false);
          const call = live[command.pick % Math.max(live.length, 1)];
          if (call === undefined) break;
          call.cancelledWhilePending = call.status === "pending";
          call.controller?.abort(new CancelledByTest(call.index));
          break;
        }
        case "advance":
          await vi.advanceTimersByTimeAsync(command.ms);
          break;
        case "outage":
          fake.outage(command.ms);
          break;
      }
      if (step === burstAtStep) {
        // More distinct addresses than one job takes: the batcher must split them.
        for (let i = 0; i < 1_003; i++) lookup(`${i} Burst Road`, {});
      }
      await quiesce();
      if (step === closeAfterStep) await close();
    }

    for (let waited = 0; !allSettled() && waited < DRAIN_LIMIT_MS; waited += 1_000) {
      await vi.advanceTimersByTimeAsync(1_000);
      await quiesce();
    }

    if (!closed) {
      // A job past the wait limit is still collected: its places reach the cache.
      const late = calls.filter(
        (call) =>
          call.status === "rejected" && (call.reason as { kind?: string }).kind === "still-running"
      );
      if (late.length > 0) {
        for (let waited = 0; waited < BACKGROUND_MS; waited += 30_000) {
          await vi.advanceTimersByTimeAsync(30_000);
          await quiesce();
        }
        const preview = (call: CallRecord) =>
          geocoder.lookup(search(cleaned(call.address), call.options), { preview: true });
        violations.push(...(await checkCollected({ fake, jobs, telemetry }, late, preview)));
      }
      await close();
    }
    await vi.advanceTimersByTimeAsync(60_000);
    await quiesce();
    if (fake.requests.length !== requestsAtClose) {
      violations.push(`${fake.requests.length - requestsAtClose} requests after close()`);
    }
    if (fake.openRequests !== 0) violations.push(`${fake.openRequests} requests left open`);
  } finally {
    unsubscribe();
  }

  const record: RunRecord = {
    fake,
    calls,
    jobs,
    telemetry,
    ratePerSecond: config.ratePerSecond,
    quotaAfterMs: config.quotaAfterMs,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  };
  violations.push(...checkCalls(record), ...checkRequests(record), ...checkKeyNeverLeaks(record));
  expect(violations).toEqual([]);
}

it("settles every call correctly under random lookups, cancels, time, outages, close() and faults", async () => {
  await fc.assert(
    fc.asyncProperty(
      configArbitrary,
      scriptArbitrary,
      fc.array(commandArbitrary, { minLength: 1, maxLength: 60, size: "max" }),
      // Closing and bursts are the exception: most runs must drain normally.
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }) }
      ),
      fc.oneof(
        { weight: 8, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }) }
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
    // A passing run takes a fraction of a second; the limit only cuts short the shrinking of a
    // failure, which then still reports the smallest counterexample found so far.
    { seed: 20_260_301, numRuns: 120, interruptAfterTimeLimit: 40_000 }
  );
}, 60_000);
