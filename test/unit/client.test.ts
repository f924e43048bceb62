// The Geoapify client against the emulator over real HTTP on 127.0.0.1. Expected coordinates
// come from the emulator's gazetteer, and fault scenarios are scripted with `inject`, so every
// assertion is about what the client did on the wire and what it handed back.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { geocode } from "../../src/dev/emulator/gazetteer";
import {
  GeoapifyClient,
  type ClientEvent,
  type GeoapifyClientOptions,
  type Place,
} from "../../src/geoapify/client";
import { GeoapifyError, type GeoapifyErrorKind } from "../../src/geoapify/errors";

const API_KEY = "test-key-5c1e0a9f7b";
const KNOWN = "11 Wall Street New York";
const SYNTHETIC = "42 Imaginary Lane, Springfield";
const NOT_FOUND = "Nowhere In Particular";

let emulator: GeoapifyEmulator;
let baseUrl: string;
let events: ClientEvent[];

beforeAll(async () => {
  emulator = new GeoapifyEmulator({ jobBaseMs: 60, jobPerAddressMs: 0 });
  baseUrl = await emulator.listen(0, "127.0.0.1");
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.reset();
  events = [];
});

afterEach(() => {
  // Events go to telemetry, so the key must never be in one, whatever the scenario.
  for (const event of events) {
    expect(JSON.stringify(event)).not.toContain(API_KEY);
  }
});

function makeClient(options: GeoapifyClientOptions = {}): GeoapifyClient {
  return new GeoapifyClient({
    baseUrl,
    retryBaseDelayMs: 10,
    maxRetryDelayMs: 2_000,
    pollInitialDelayMs: 20,
    jobTimeoutMs: 10_000,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
    ...options,
  });
}

/** The place the emulator's gazetteer gives for `address`, as the client should report it. */
function expectedPlace(address: string): Place {
  const { lat, lon } = geocode(address);
  if (lat === undefined || lon === undefined) {
    throw new Error(`the gazetteer does not know ${address}`);
  }
  return expect.objectContaining({ lat, lon }) as Place;
}

/** Awaits a rejection and checks that it is a GeoapifyError of `kind` without the API key. */
async function failureOf(
  promise: Promise<unknown>,
  kind: GeoapifyErrorKind
): Promise<GeoapifyError> {
  const error: unknown = await promise.then(
    () => expect.fail(`expected a "${kind}" failure, but the call succeeded`),
    (reason: unknown) => reason
  );
  expect(error).toBeInstanceOf(GeoapifyError);
  const geoapifyError = error as GeoapifyError;
  expect(geoapifyError.kind).toBe(kind);
  expectNoKey(geoapifyError);
  return geoapifyError;
}

function expectNoKey(error: Error): void {
  expect(error.message).not.toContain(API_KEY);
  expect(String(error.stack)).not.toContain(API_KEY);
  expect(JSON.stringify(error)).not.toContain(API_KEY);
  expect(error.cause).toBeUndefined();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition` holds, checking every 5 ms for at most `limitMs`. */
async function until(condition: () => boolean, limitMs = 5_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited >= limitMs) throw new Error("condition not reached in time");
    await sleep(5);
  }
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
}

function retries(): Extract<ClientEvent, { type: "retry" }>[] {
  return events.filter((event) => event.type === "retry");
}

describe("a batch job's life cycle", () => {
  it("submits once, polls until done and returns one entry per address in input order", async () => {
    const addresses = [KNOWN, SYNTHETIC, NOT_FOUND];
    const outcome = await makeClient().geocodeBatch(addresses, { apiKey: API_KEY });

    expect(outcome.places).toEqual([expectedPlace(KNOWN), expectedPlace(SYNTHETIC), null]);
    expect(outcome.places[0]).toMatchObject({ resultType: "building", confidence: 1 });
    expect(emulator.jobsSubmitted()).toEqual([addresses]);

    const counts = emulator.counts();
    expect(counts.submit).toBe(1);
    expect(counts.poll).toBeGreaterThanOrEqual(1);
    expect(outcome.polls).toBe(counts.poll);
    expect(outcome.requests).toBe(counts.total);
    expect(outcome.jobId).toBe(emulator.requests[0].jobId);
    expect(emulator.requests.every((request) => request.apiKeyPresent)).toBe(true);

    expect(events[0]).toEqual({ type: "submitted", jobId: outcome.jobId, size: 3, attempt: 1 });
    const polled = events.filter((event) => event.type === "polled");
    expect(polled.map((event) => event.poll)).toEqual(polled.map((_, index) => index + 1));
    expect(polled.at(-1)).toMatchObject({ jobId: outcome.jobId, status: 200 });
    expect(polled.slice(0, -1).every((event) => event.status === 202)).toBe(true);
  });

  it("waits at least pollInitialDelayMs before the first poll", async () => {
    await makeClient({ pollInitialDelayMs: 100 }).geocodeBatch([KNOWN], { apiKey: API_KEY });
    const [submit, firstPoll] = emulator.requests;
    expect(firstPoll.kind).toBe("poll");
    expect(firstPoll.at - submit.at).toBeGreaterThanOrEqual(95);
  });

  it("accepts the results straight from the POST when the job is done at once", async () => {
    emulator.set({ jobBaseMs: 0, jobPerAddressMs: 0 });
    const outcome = await makeClient().geocodeBatch([SYNTHETIC, NOT_FOUND], { apiKey: API_KEY });

    expect(outcome.places).toEqual([expectedPlace(SYNTHETIC), null]);
    expect(outcome).toMatchObject({ jobId: undefined, polls: 0, requests: 1 });
    expect(emulator.counts()).toMatchObject({ submit: 1, poll: 0, total: 1 });
    expect(events).toEqual([{ type: "submitted", size: 2, attempt: 1 }]);
  });

  it("maps a reordered answer back to the right inputs", async () => {
    const addresses = [KNOWN, SYNTHETIC, NOT_FOUND, "350 Fifth Avenue New York"];
    emulator.inject({ on: "poll", response: "reorder" });
    const outcome = await makeClient().geocodeBatch(addresses, { apiKey: API_KEY });

    expect(outcome.places).toEqual([
      expectedPlace(KNOWN),
      expectedPlace(SYNTHETIC),
      null,
      expectedPlace("350 Fifth Avenue New York"),
    ]);
  });

  it("fails only the address whose result is missing from a short answer", async () => {
    emulator.inject({ on: "poll", response: "wrong-length" });
    const outcome = await makeClient().geocodeBatch([KNOWN, NOT_FOUND, SYNTHETIC], {
      apiKey: API_KEY,
    });

    expect(outcome.places.slice(0, 2)).toEqual([expectedPlace(KNOWN), null]);
    const missing = outcome.places[2];
    expect(missing).toBeInstanceOf(GeoapifyError);
    expect((missing as GeoapifyError).kind).toBe("malformed");
    expectNoKey(missing as GeoapifyError);
  });

  it.each(["submit", "poll"] as const)("fails the batch on an unreadable %s answer", async (on) => {
    emulator.inject({ on, response: "malformed" });
    const error = await failureOf(
      makeClient().geocodeBatch([KNOWN], { apiKey: API_KEY }),
      "malformed"
    );
    expect(error.message).toBe("Geoapify sent an unreadable answer");
  });

  it("rejects an empty batch without sending anything", async () => {
    await expect(makeClient().geocodeBatch([], { apiKey: API_KEY })).rejects.toThrow(RangeError);
    expect(emulator.counts().total).toBe(0);
  });
});

describe("retries", () => {
  it("honours Retry-After on a 429, then succeeds", async () => {
    emulator.inject({ on: "submit", response: { status: 429, retryAfterSeconds: 1 } });
    const outcome = await makeClient().geocodeBatch([KNOWN], { apiKey: API_KEY });

    expect(outcome.places).toEqual([expectedPlace(KNOWN)]);
    const [rejected, accepted] = emulator.requests;
    expect([rejected.status, accepted.status]).toEqual([429, 202]);
    // A lower bound only: the client may wait longer on a busy machine, never shorter.
    expect(accepted.at - rejected.at).toBeGreaterThanOrEqual(990);
    expect(retries()).toEqual([
      { type: "retry", request: "submit", status: 429, delayMs: 1_000, attempt: 1 },
    ]);
    expect(events.find((event) => event.type === "submitted")).toMatchObject({ attempt: 2 });
    expect(outcome.requests).toBe(emulator.counts().total);
  });

  it("falls back to jittered backoff when Retry-After cannot be read", async () => {
    // A browser hides Retry-After from cross-origin scripts unless it is exposed; this fetch
    // hides it the same way while the server still sends a long one.
    const hidingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const headers = new Headers(response.headers);
      headers.delete("retry-after");
      return new Response(response.body, { status: response.status, headers });
    };
    emulator.inject({ on: "poll", response: { status: 429, retryAfterSeconds: 30 } });
    const outcome = await makeClient({ fetch: hidingFetch, retryBaseDelayMs: 40 }).geocodeBatch(
      [KNOWN],
      { apiKey: API_KEY }
    );

    expect(outcome.places).toEqual([expectedPlace(KNOWN)]);
    // Full jitter with random() = 0.5 and base 40 ms: the first retry waits 20 ms, not 30 s.
    expect(retries()).toEqual([
      { type: "retry", request: "poll", status: 429, delayMs: 20, attempt: 1 },
    ]);
  });

  it("resubmits after a 500, which proves no job was created", async () => {
    emulator.inject({ on: "submit", response: { status: 500 } });
    const outcome = await makeClient().geocodeBatch([KNOWN], { apiKey: API_KEY });

    expect(outcome.places).toEqual([expectedPlace(KNOWN)]);
    expect(emulator.counts().submit).toBe(2);
    expect(emulator.jobsSubmitted()).toHaveLength(1);
    expect(retries()).toEqual([
      { type: "retry", request: "submit", status: 500, delayMs: 5, attempt: 1 },
    ]);
  });

  it("repeats a poll after a 503", async () => {
    emulator.inject({ on: "poll", response: { status: 503 } });
    const outcome = await makeClient().geocodeBatch([KNOWN], { apiKey: API_KEY });

    expect(outcome.places).toEqual([expectedPlace(KNOWN)]);
    expect(retries()).toEqual([
      { type: "retry", request: "poll", status: 503, delayMs: 5, attempt: 1 },
    ]);
    expect(outcome.requests).toBe(emulator.counts().total);
    expect(outcome.requests).toBe(outcome.polls + 2);
  });

  it("repeats a poll whose connection was dropped", async () => {
    emulator.inject({ on: "poll", response: "drop" });
    const outcome = await makeClient().geocodeBatch([KNOWN], { apiKey: API_KEY });

    expect(outcome.places).toEqual([expectedPlace(KNOWN)]);
    expect(retries()).toEqual([{ type: "retry", request: "poll", delayMs: 5, attempt: 1 }]);
  });

  it("does not resubmit when the POST's connection dropped, since a job may exist", async () => {
    emulator.inject({ on: "submit", response: "drop" });
    const error = await failureOf(
      makeClient().geocodeBatch([KNOWN], { apiKey: API_KEY }),
      "network"
    );

    expect(error.message).toBe("Could not reach Geoapify — check the connection");
    expect(emulator.counts()).toMatchObject({ submit: 1, total: 1 });
    expect(retries()).toEqual([]);
  });

  it("gives up after maxAttempts 5xx answers to one poll", async () => {
    const serverError = { on: "poll", response: { status: 502 } } as const;
    emulator.inject(serverError, serverError, serverError);
    const error = await failureOf(
      makeClient({ maxAttempts: 3 }).geocodeBatch([KNOWN], { apiKey: API_KEY }),
      "server"
    );

    expect(error.status).toBe(502);
    expect(emulator.counts()).toMatchObject({ submit: 1, poll: 3 });
    expect(retries().map((retry) => retry.attempt)).toEqual([1, 2]);
  });

  it("reports rate-limiting once every attempt at the POST got a 429", async () => {
    const tooMany = { on: "submit", response: { status: 429 } } as const;
    emulator.inject(tooMany, tooMany, tooMany, tooMany);
    const error = await failureOf(
      makeClient().geocodeBatch([KNOWN], { apiKey: API_KEY }),
      "rate-limit"
    );

    expect(error.message).toBe("Geoapify is rate-limiting requests — try again shortly");
    expect(emulator.counts()).toMatchObject({ submit: 4, total: 4 });
    expect(emulator.jobsSubmitted()).toEqual([]);
  });

  it("does not start a retry that could not finish before the job deadline", async () => {
    emulator.inject({ on: "poll", response: { status: 429, retryAfterSeconds: 5 } });
    await failureOf(
      makeClient({ jobTimeoutMs: 1_000, maxRetryDelayMs: 10_000 }).geocodeBatch([KNOWN], {
        apiKey: API_KEY,
      }),
      "rate-limit"
    );
    expect(emulator.counts()).toMatchObject({ submit: 1, poll: 1 });
  });
});

describe("final failures", () => {
  it("reports a rejected key without retrying", async () => {
    emulator.set({ invalidKeys: [API_KEY] });
    const client = makeClient();

    const batchError = await failureOf(client.geocodeBatch([KNOWN], { apiKey: API_KEY }), "auth");
    expect(batchError).toMatchObject({ message: "Geoapify rejected the API key", status: 401 });
    await failureOf(client.geocodeOne(KNOWN, { apiKey: API_KEY }), "auth");

    expect(emulator.counts()).toMatchObject({ submit: 1, single: 1, total: 2 });
    expect(retries()).toEqual([]);
  });

  it("reports a 401 on a poll as auth, without retrying", async () => {
    emulator.inject({ on: "poll", response: { status: 401 } });
    await failureOf(makeClient().geocodeBatch([KNOWN], { apiKey: API_KEY }), "auth");
    expect(emulator.counts()).toMatchObject({ submit: 1, poll: 1 });
  });

  it("times out a job that never finishes, without polling past the deadline", async () => {
    emulator.set({ neverFinish: true });
    const jobTimeoutMs = 400;
    const startedAt = Date.now();
    const error = await failureOf(
      makeClient({ jobTimeoutMs }).geocodeBatch([KNOWN], { apiKey: API_KEY }),
      "timeout"
    );
    const settledAt = Date.now();

    expect(error.message).toBe("Geocoding timed out");
    expect(settledAt - startedAt).toBeGreaterThanOrEqual(jobTimeoutMs - 10);
    expect(emulator.counts().poll).toBeGreaterThanOrEqual(2);
    // Arrival times include the trip to the server, hence the small allowance.
    for (const request of emulator.requests) {
      expect(request.at).toBeLessThanOrEqual(startedAt + jobTimeoutMs + 25);
    }
    await sleep(100);
    expect(emulator.requests.every((request) => request.at <= settledAt)).toBe(true);
  });

  it("stops at once when aborted mid-poll and sends nothing more", async () => {
    emulator.set({ neverFinish: true });
    const timersBefore = activeTimers();
    const controller = new AbortController();
    const pending = makeClient().geocodeBatch([KNOWN], {
      apiKey: API_KEY,
      signal: controller.signal,
    });
    await until(() => emulator.counts().poll >= 2);
    controller.abort();
    const error = await failureOf(pending, "aborted");
    const sentBeforeAbort = emulator.counts().total;

    expect(error.message).not.toBe("");
    // The poll wait and the job deadline (10 s here) are both cleared, not left to expire.
    expect(activeTimers()).toBe(timersBefore);
    // Several poll intervals (20, 30, 45, 67 ms …) pass without another request.
    await sleep(300);
    expect(emulator.counts().total).toBe(sentBeforeAbort);
  });

  it("rejects an already aborted call without sending anything", async () => {
    const signal = AbortSignal.abort();
    await failureOf(makeClient().geocodeBatch([KNOWN], { apiKey: API_KEY, signal }), "aborted");
    await failureOf(makeClient().geocodeOne(KNOWN, { apiKey: API_KEY, signal }), "aborted");
    expect(emulator.counts().total).toBe(0);
  });
});

describe("the quota circuit", () => {
  it("fails fast while open, probes once after the cooldown, and closes on success", async () => {
    const quotaCooldownMs = 150;
    const client = makeClient({ quotaCooldownMs });
    emulator.set({ quotaExhausted: true });

    const first = await failureOf(client.geocodeBatch([KNOWN], { apiKey: API_KEY }), "quota");
    expect(first).toMatchObject({
      message: "Geoapify daily quota exhausted — try again later",
      status: 429,
    });
    expect(emulator.counts().total).toBe(1);

    // Open: nothing reaches the server, whichever method is called.
    await failureOf(client.geocodeBatch([KNOWN], { apiKey: API_KEY }), "quota");
    await failureOf(client.geocodeOne(KNOWN, { apiKey: API_KEY }), "quota");
    expect(emulator.counts().total).toBe(1);

    // Half-open with the quota still spent: one request, and the circuit opens again.
    await sleep(quotaCooldownMs + 20);
    await failureOf(client.geocodeBatch([KNOWN], { apiKey: API_KEY }), "quota");
    await failureOf(client.geocodeBatch([KNOWN], { apiKey: API_KEY }), "quota");
    expect(emulator.counts().total).toBe(2);

    // Half-open with the quota back: the probe succeeds and the circuit closes.
    emulator.set({ quotaExhausted: false });
    await sleep(quotaCooldownMs + 20);
    const outcome = await client.geocodeBatch([KNOWN], { apiKey: API_KEY });
    expect(outcome.places).toEqual([expectedPlace(KNOWN)]);
    expect(await client.geocodeOne(SYNTHETIC, { apiKey: API_KEY })).toEqual(
      expectedPlace(SYNTHETIC)
    );

    const circuit = events.filter((event) => event.type === "circuit").map((event) => event.state);
    expect(circuit).toEqual(["open", "half-open", "open", "half-open", "closed"]);
    expect(retries()).toEqual([]);
  });

  it("tells a 429 about the quota apart from one about the request rate", async () => {
    emulator.inject({ on: "submit", response: { status: 429, message: "Quota exceeded" } });
    await failureOf(makeClient().geocodeBatch([KNOWN], { apiKey: API_KEY }), "quota");
    expect(emulator.counts().submit).toBe(1);
  });
});

describe("geocodeOne", () => {
  it("returns the place, or null when nothing matched", async () => {
    const client = makeClient();
    expect(await client.geocodeOne(KNOWN, { apiKey: API_KEY })).toEqual(expectedPlace(KNOWN));
    expect(await client.geocodeOne(NOT_FOUND, { apiKey: API_KEY })).toBeNull();
    expect(emulator.counts()).toMatchObject({ single: 2, total: 2 });
  });

  it("retries a 500", async () => {
    emulator.inject({ on: "single", response: { status: 500 } });
    expect(await makeClient().geocodeOne(KNOWN, { apiKey: API_KEY })).toEqual(expectedPlace(KNOWN));
    expect(retries()).toEqual([
      { type: "retry", request: "single", status: 500, delayMs: 5, attempt: 1 },
    ]);
  });
});
