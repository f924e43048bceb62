// The cases of the geocoder property test that are easiest to state, pinned down one by one: the
// real Geocoder on the in-memory Geoapify and the fake clock.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GeoapifyClientOptions } from "../../src/geoapify/client";
import {
  answerFor,
  type Behaviour,
  type FakeGeoapify,
  type ScriptStep,
} from "./support/fake-geoapify";
import {
  connect,
  drain,
  fakeGeoapify,
  installTelemetryTarget,
  openRuntime,
  quiesce,
  recordTelemetry,
  search,
  type Runtime,
} from "./support/runtime-harness";

installTelemetryTarget();
let fake: FakeGeoapify;
let runtime: Runtime;

async function start(
  options: { script?: ScriptStep[]; jobMs?: number; client?: Partial<GeoapifyClientOptions> } = {}
): Promise<Runtime["geocoder"]> {
  fake = fakeGeoapify({ script: options.script, jobMs: () => options.jobMs ?? 50 });
  runtime = await connect(openRuntime(fake, { client: options.client }));
  return runtime.geocoder;
}

const step = (behaviour: Behaviour, options: Partial<ScriptStep> = {}): ScriptStep => ({
  behaviour,
  latencyMs: 5,
  // Done by the first poll, so that each step of a script answers the request it is meant for.
  jobMs: 0,
  variant: 0,
  ...options,
});
const posts = () => fake.submits.map((request) => request.addresses);
const fulfilled = (text: string) => ({ status: "fulfilled", value: answerFor(text) });
const failedWith = (kind: string) => ({
  status: "rejected",
  reason: expect.objectContaining({ name: "LookupFailedError", kind }),
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await runtime.geocoder.close();
  vi.useRealTimers();
});

describe("the geocoder on the fake clock", () => {
  it("answers a cached address from any spelling without letting time pass", async () => {
    const geocoder = await start();
    expect(await drain([geocoder.lookup(search("1 Wall Street New York"))])).toEqual([
      fulfilled("1 Wall Street New York"),
    ]);
    const requests = fake.requests.length;
    const startedAt = Date.now();

    let answer: unknown;
    void geocoder.lookup(search("1 WALL street new york")).then((value) => (answer = value));
    await quiesce();

    expect(answer).toEqual(answerFor("1 Wall Street New York"));
    expect(Date.now()).toBe(startedAt);
    expect(fake.requests).toHaveLength(requests);
  });

  it("sends 1,500 distinct addresses as jobs of 1,000 and 500, each address once", async () => {
    const geocoder = await start();
    const addresses = Array.from({ length: 1_500 }, (_, i) => `${i} Burst Road`);
    const spellings = [...addresses, ...addresses.map((address) => address.toUpperCase())];

    const results = await drain(spellings.map((address) => geocoder.lookup(search(address))));

    expect(results).toEqual(spellings.map(fulfilled));
    expect(posts().map((job) => job?.length)).toEqual([1_000, 500]);
    expect(new Set(posts().flat()).size).toBe(1_500);
  });

  it("never resubmits a POST that got no answer, and a later call starts a new job", async () => {
    const geocoder = await start({ script: [step("drop")] });
    const lost = await drain([
      geocoder.lookup(search("1 Baker St London")),
      geocoder.lookup(search("2 Nowhere Lane")),
    ]);
    expect(lost).toEqual([failedWith("network"), failedWith("network")]);
    expect(posts()).toEqual([["1 Baker St London", "2 Nowhere Lane"]]);

    // Failures are not cached: the next recalculation asks again, and gets the answer.
    expect(await drain([geocoder.lookup(search("1 baker st london"))])).toEqual([
      fulfilled("1 Baker St London"),
    ]);
    expect(posts()).toHaveLength(2);
  });

  it("retries a poll that got no answer instead of failing the job", async () => {
    const geocoder = await start({ script: [step("ok"), step("drop"), step("drop")] });
    expect(await drain([geocoder.lookup(search("3 Rue de Rivoli Paris"))])).toEqual([
      fulfilled("3 Rue de Rivoli Paris"),
    ]);
    expect(fake.requests.map((request) => [request.method, request.behaviour])).toEqual([
      ["POST", "ok"],
      ["GET", "drop"],
      ["GET", "drop"],
      ["GET", "ok"],
    ]);
  });

  it("never sends an address whose only call was cancelled in the tick it was made", async () => {
    const geocoder = await start();
    const controller = new AbortController();
    const cancelled = geocoder.lookup(search("4 Baker St London"), { signal: controller.signal });
    const kept = geocoder.lookup(search("4 Wall Street New York"));
    const reason = new Error("cell edited");
    controller.abort(reason);

    expect(await drain([cancelled, kept])).toEqual([
      { status: "rejected", reason },
      fulfilled("4 Wall Street New York"),
    ]);
    expect(posts()).toEqual([["4 Wall Street New York"]]);
  });

  it("lands reordered, re-spelled results on the right cells; a missing one fails alone", async () => {
    const addresses = ["1 Wall Street New York", "2 Baker St London", "3 Nowhere Lane"];
    const geocoder = await start({
      script: [
        step("ok"),
        step("reorder", { variant: 3 }),
        step("ok"),
        step("truncate", { variant: 1 }),
      ],
    });
    const reordered = await drain(addresses.map((address) => geocoder.lookup(search(address))));
    expect(reordered).toEqual(addresses.map(fulfilled));

    const others = addresses.map((address) => address.replace(/^\d/, "4"));
    const truncated = await drain(others.map((address) => geocoder.lookup(search(address))));
    expect(truncated).toEqual([
      fulfilled(others[0]),
      failedWith("malformed"),
      fulfilled(others[2]),
    ]);
    expect(fake.requests.map((request) => request.behaviour)).toEqual([
      "ok",
      "reorder",
      "ok",
      "truncate",
    ]);
  });
});

describe("telemetry", () => {
  it("numbers batches once across job groups, and each job carries its batch's number", async () => {
    const geocoder = await start();
    const { events, stop } = recordTelemetry();
    const lookups = [
      search("1 Baker St London"),
      search("1 Baker St London", { language: "de" }),
      { kind: "reverse" as const, options: {}, input: "51.5,-0.12" },
    ];
    expect(await drain(lookups.map((lookup) => geocoder.lookup(lookup)))).toMatchObject(
      Array(3).fill({ status: "fulfilled" })
    );
    stop();
    const ofType = (type: string) => events.filter((event) => event.type === type);
    const dispatched = ofType("dispatched").map((event) => (event as { batchId: number }).batchId);
    expect(new Set(dispatched).size).toBe(3);
    const tags = ofType("submitted").map((event) => (event as { tag?: number }).tag);
    expect(new Set(tags)).toEqual(new Set(dispatched));
    const settled = ofType("settled").map((event) => (event as { batchId: number }).batchId);
    expect(new Set(settled)).toEqual(new Set(dispatched));
  });
});

describe("429s", () => {
  it("a single 429, with or without Retry-After, costs a short wait, never a failed cell", async () => {
    const geocoder = await start({
      script: [step("rate-limit"), step("ok"), step("rate-limit", { variant: 1 })],
    });
    const { events, stop } = recordTelemetry();
    const results = await drain([geocoder.lookup(search("1 Baker St London"))], 60_000);
    stop();
    expect(results).toEqual([fulfilled("1 Baker St London")]);
    expect(fake.requests.map((request) => request.status)).toEqual([429, 202, 429, 200]);
    expect(events.filter((event) => event.type === "rate-limited")).toEqual([
      expect.objectContaining({ retryAfter: false }),
      expect.objectContaining({ retryAfter: true, waitMs: expect.any(Number) }),
    ]);
  });

  it("a 30 s outage ends with every cell correct", async () => {
    const geocoder = await start();
    fake.outage(30_000);
    const addresses = ["1 Baker St London", "2 Baker St London", "3 Nowhere Lane"];
    const results = await drain(addresses.map((address) => geocoder.lookup(search(address))));
    expect(results).toEqual(addresses.map(fulfilled));
    expect(fake.submits.filter((request) => request.status === 202)).toHaveLength(1);
  });

  it("persisting ~60 s settle every waiting cell with quota, in few requests, then resume", async () => {
    const geocoder = await start({ client: { probeIntervalMs: 60_000 } });
    fake.quotaSpent(true);
    const startedAt = Date.now();
    const calls = ["1 Baker St London", "2 Baker St London"].map((address) =>
      geocoder.lookup(search(address, address.startsWith("1") ? {} : { language: "de" }))
    );
    const results = await drain(calls, 150_000, 1_000);
    expect(results).toEqual([failedWith("quota"), failedWith("quota")]);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(60_000);
    expect(Date.now() - startedAt).toBeLessThanOrEqual(150_000);
    expect(fake.requests.length).toBeLessThanOrEqual(20);

    // While the quota lasts, a new cell fails at once and sends nothing.
    const requests = fake.requests.length;
    expect(await drain([geocoder.lookup(search("3 Baker St London"))], 1_000)).toEqual([
      failedWith("quota"),
    ]);
    expect(fake.requests).toHaveLength(requests);

    // The next probe succeeds: cells are answered again.
    fake.quotaSpent(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await drain([geocoder.lookup(search("3 Baker St London"))])).toEqual([
      fulfilled("3 Baker St London"),
    ]);
  });
});
