// The client's requests and failures: what is repeated, what is final, the key check, and that
// the key never leaks. Most tests run on the fake clock with the in-memory fake; the last ones
// go over real HTTP on 127.0.0.1 to the emulator, asserting order and content, never wall time.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { geocode, reverseGeocode } from "../../src/dev/emulator/gazetteer";
import { GeoapifyClient, type ClientEvent } from "../../src/geoapify/client";
import { GeoapifyError } from "../../src/geoapify/errors";
import {
  advance,
  API_KEY,
  closeClients,
  harness,
  ofType,
  search,
  track,
} from "./support/client-harness";
import { answerFor, type Behaviour, type ScriptStep } from "./support/fake-geoapify";

const step = (behaviour: Behaviour, variant = 0): ScriptStep => ({
  behaviour,
  latencyMs: 1,
  jobMs: 50,
  variant,
});
const found = (input: string) => expect.objectContaining(answerFor(input) ?? {});
const ADDRESS = "1 Baker St London";

function expectNoKey(events: readonly ClientEvent[], error?: unknown): void {
  for (const event of events) expect(JSON.stringify(event)).not.toContain(API_KEY);
  if (error instanceof Error) {
    expect(error.message).not.toContain(API_KEY);
    expect(String(error.stack)).not.toContain(API_KEY);
  }
}

describe("on the fake clock", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    closeClients();
    vi.useRealTimers();
  });

  it("resubmits after a 500, which proves no job was created", async () => {
    const { fake, client, events } = harness({ fake: { script: [step("server-error")] } });
    const call = track(client.run(search([ADDRESS])));
    await advance(10_000);
    expect(call.value).toEqual([found(ADDRESS)]);
    expect(fake.submits.map((request) => request.status)).toEqual([500, 202]);
    expect(ofType(events, "retried")).toEqual([
      { type: "retried", request: "submit", status: 500, delayMs: 750, attempt: 1 },
    ]);
  });

  it("does not resubmit when the POST got no answer, since a job may exist", async () => {
    const { fake, client, events } = harness({ fake: { script: [step("drop")] } });
    const call = track(client.run(search([ADDRESS])));
    await advance(10_000);
    expect(call.error).toMatchObject({ kind: "network" });
    expect(fake.requests).toHaveLength(1);
    expectNoKey(events, call.error);
  });

  it("repeats a poll that got no answer or a 503, and keeps polling after retries run out", async () => {
    const script = [
      step("ok"),
      step("drop"),
      step("server-error", 3),
      ...Array(4).fill(step("drop")),
    ];
    const { fake, client } = harness({ fake: { script } });
    const call = track(client.run(search([ADDRESS])));
    await advance(60_000);
    expect(call.value).toEqual([found(ADDRESS)]);
    expect(fake.submits).toHaveLength(1);
    expect(fake.polls.at(-1)?.status).toBe(200);
  });

  it.each([
    ["auth", 401],
    ["bad-request", 400],
  ] as const)("fails the call as %s without repeating a %i", async (kind, status) => {
    const fetch: typeof globalThis.fetch = async () =>
      new Response(JSON.stringify({ statusCode: status, error: "Error", message: "x" }), {
        status,
      });
    const { client, events } = harness({ client: { fetch } });
    const call = track(client.run(search([ADDRESS])));
    await advance(10_000);
    expect(call.error).toBeInstanceOf(GeoapifyError);
    expect(call.error).toMatchObject({ kind, status });
    expect(ofType(events, "request")).toHaveLength(1);
    expect(ofType(events, "job-failed")).toEqual([
      { type: "job-failed", jobId: undefined, kind: "search", size: 1, error: kind },
    ]);
    expectNoKey(events, call.error);
  });

  it("matches reordered and re-spelled results, and fails only an input left without one", async () => {
    const inputs = [ADDRESS, "2 Baker St London", "Nowhere Lane"];
    const { client } = harness({ fake: { script: [step("ok"), step("reorder", 3)] } });
    const call = track(client.run(search(inputs)));
    await advance(10_000);
    expect(call.value).toEqual([found(ADDRESS), found("2 Baker St London"), null]);

    const truncated = harness({ fake: { script: [step("ok"), step("truncate", 1)] } });
    const short = track(truncated.client.run(search(inputs)));
    await advance(10_000);
    expect(short.value?.slice(0, 1)).toEqual([found(ADDRESS)]);
    expect(short.value?.[1]).toMatchObject({ kind: "malformed" });
  });

  it("rejects an empty or oversized job and an aborted call without sending anything", async () => {
    const { fake, client } = harness();
    await expect(client.run(search([]))).rejects.toThrow(RangeError);
    await expect(client.run(search(Array(1001).fill("x")))).rejects.toThrow(RangeError);
    await expect(
      client.run(search([ADDRESS]), { signal: AbortSignal.abort() })
    ).rejects.toMatchObject({
      kind: "aborted",
    });
    expect(fake.requests).toHaveLength(0);
  });

  it("settles waiters as aborted on close() and sends nothing after", async () => {
    const { fake, client } = harness({ fake: { jobMs: () => 60_000 } });
    const call = track(client.run(search([ADDRESS])));
    await advance(1_000);
    client.close();
    await advance(0);
    expect(call.error).toMatchObject({ kind: "aborted" });
    const sent = fake.requests.length;
    await advance(120_000);
    expect(fake.requests).toHaveLength(sent);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    ["valid", "ok", API_KEY],
    ["rejected", "ok", "wrong-key"],
    ["unknown", "quota", API_KEY],
    ["unknown", "drop", API_KEY],
  ] as const)("checkKey() says %s (%s, key %s)", async (verdict, behaviour, apiKey) => {
    const { fake, client } = harness({
      client: { apiKey, quotaAfterMs: 0 },
      fake: { script: [step(behaviour)] },
    });
    const answer = client.checkKey();
    await advance(1_000);
    expect(await answer).toBe(verdict);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].url.searchParams.get("id")).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("over real HTTP, against the emulator", () => {
  let emulator: GeoapifyEmulator;
  let baseUrl: string;

  beforeAll(async () => {
    emulator = new GeoapifyEmulator({ jobBaseMs: 20, jobPerAddressMs: 0 });
    baseUrl = await emulator.listen(0, "127.0.0.1");
  });
  afterAll(async () => {
    await emulator.close();
  });

  function client(apiKey = API_KEY): GeoapifyClient {
    return new GeoapifyClient({
      baseUrl,
      apiKey,
      rateChannel: () => undefined,
      retryBaseDelayMs: 10,
    });
  }

  it("runs a search and a reverse job, with the key only in the query string", async () => {
    const geoapify = client();
    const places = await geoapify.run(search(["11 Wall Street New York", "Nowhere In Particular"]));
    const wall = geocode("11 Wall Street New York");
    expect(places).toEqual([expect.objectContaining({ lat: wall.lat, lon: wall.lon }), null]);

    const near = reverseGeocode(-74.0112, 40.7063);
    const [reverse] = await geoapify.run({
      kind: "reverse",
      params: {},
      inputs: ["40.7063,-74.0112"],
    });
    expect(reverse).toMatchObject({ lat: near.lat, lon: near.lon, distance: near.distance });
    expect(emulator.requests.every((request) => request.apiKeyPresent)).toBe(true);
    geoapify.close();
  });

  it("looks up one input with a single request", async () => {
    const geoapify = client();
    const before = emulator.counts().single;
    const wall = geocode("11 Wall Street New York");
    expect(await geoapify.single("search", {}, "11 Wall Street New York")).toMatchObject({
      lat: wall.lat,
      lon: wall.lon,
    });
    expect(emulator.counts().single).toBe(before + 1);
    geoapify.close();
  });

  it("checks a key", async () => {
    emulator.set({ invalidKeys: ["bad-key"] });
    expect(await client().checkKey()).toBe("valid");
    expect(await client("bad-key").checkKey()).toBe("rejected");
  });
});
