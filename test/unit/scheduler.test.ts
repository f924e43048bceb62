// The request scheduler, through the client, on the fake clock: the rate in any rolling second,
// who goes first, what a 429 costs, and when the quota is concluded and resumed.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GeoapifyError } from "../../src/geoapify/errors";
import type { RateChannel } from "../../src/geoapify/shared-rate";
import {
  advance,
  closeClients,
  flushRealWorkUntil,
  harness,
  ofType,
  search,
  track,
} from "./support/client-harness";
import { answerFor } from "./support/fake-geoapify";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

const addresses = (count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => `${from + index + 1} Baker St London`);

const expected = (inputs: string[]) =>
  inputs.map((input) => expect.objectContaining(answerFor(input) ?? {}));

describe("pacing", () => {
  it("never sends more than the rate in any rolling second, so a 5/s server never says 429", async () => {
    const { fake, client, events } = harness({ fake: { ratePerSecond: 5, jobMs: () => 800 } });
    const calls = Array.from({ length: 12 }, (_, job) =>
      track(client.run(search(addresses(3, job * 3))))
    );
    await advance(60_000);

    calls.forEach((call, job) => expect(call.value).toEqual(expected(addresses(3, job * 3))));
    expect(fake.requests.length).toBeGreaterThanOrEqual(24);
    expect(fake.maxPerSecond()).toBeLessThanOrEqual(5);
    expect(fake.statusesSent.has(429)).toBe(false);
    expect(ofType(events, "request")).toHaveLength(fake.requests.length);
  });

  it("counts a request until its answer, so one that arrives late cannot crowd the server's second", async () => {
    // Every seventh request reaches the server 300 ms after the client let it go: counted from
    // its grant, it would arrive together with the next ones and make six in one second.
    const { fake, client } = harness({
      fake: { ratePerSecond: 5, jobMs: () => 0, transitMs: (index) => (index % 7 ? 0 : 300) },
    });
    const calls = Array.from({ length: 12 }, (_, job) =>
      track(client.run(search(addresses(1, job))))
    );
    await advance(60_000);

    calls.forEach((call, job) => expect(call.value).toEqual(expected(addresses(1, job))));
    expect(fake.maxPerSecond()).toBeLessThanOrEqual(5);
    expect(fake.statusesSent.has(429)).toBe(false);
  });

  it("sends a submit before polls that were queued earlier", async () => {
    const { fake, client } = harness({ client: { ratePerSecond: 1 }, fake: { jobMs: () => 0 } });
    for (let job = 0; job < 4; job++) track(client.run(search(addresses(1, job))));
    await advance(4_000);
    // Four submits first (1/s), then polls; a late submit overtakes the polls still queued.
    expect(fake.requests.slice(0, 4).map((request) => request.method)).toEqual(
      Array(4).fill("POST")
    );
    const late = track(client.run(search(addresses(1, 10))));
    await advance(1_200);
    expect(fake.requests.at(-1)?.method).toBe("POST");
    await advance(20_000);
    expect(late.value).toEqual(expected(addresses(1, 10)));
  });

  it("counts the requests other runtimes of the key announce", async () => {
    const listeners: Array<() => void> = [];
    const hub = (): RateChannel => {
      let mine: (() => void) | undefined;
      return {
        announce: () => listeners.filter((listener) => listener !== mine).forEach((l) => l()),
        onAnnounce: (listener) => listeners.push((mine = listener)),
        close: () => {},
      };
    };
    const { fake, client, another } = harness({
      fake: { ratePerSecond: 5, jobMs: () => 300 },
      client: { rateChannel: hub },
    });
    const second = another();
    // The channels open once the key's hash is known.
    await flushRealWorkUntil(() => listeners.length === 2, "both runtimes' rate channels open");
    const calls = Array.from({ length: 8 }, (_, job) =>
      track((job % 2 ? client : second).run(search(addresses(2, job * 2))))
    );
    await advance(30_000);
    calls.forEach((call) => expect(call.error).toBeUndefined());
    expect(fake.maxPerSecond()).toBeLessThanOrEqual(5);
  });
});

describe("a 429", () => {
  it.each([
    ["with Retry-After", 1, 1_000],
    ["without Retry-After", 0, 750],
  ])("%s costs a short wait, not a failure", async (_, variant, waitMs) => {
    const { fake, client, events } = harness({
      fake: { script: [{ behaviour: "rate-limit", latencyMs: 1, jobMs: 50, variant }] },
    });
    const call = track(client.run(search(["1 Baker St London"])));
    await advance(10_000);

    expect(call.value).toEqual(expected(["1 Baker St London"]));
    expect(fake.submits.map((request) => request.status)).toEqual([429, 202]);
    expect(fake.submits[1].at - fake.submits[0].at).toBeGreaterThanOrEqual(waitMs);
    expect(ofType(events, "rate-limited")).toEqual([
      { type: "rate-limited", waitMs, retryAfter: variant === 1, ratePerSecond: 2.5 },
    ]);
    expect(ofType(events, "submitted")).toHaveLength(1);
    expect(client.state.phase).toBe("ok");
  });

  it("ends a 30 s outage with every caller correct within 10 s of its end", async () => {
    const { fake, client, events } = harness({ fake: { jobMs: () => 400 } });
    fake.outage(30_000);
    const inputs = Array.from({ length: 6 }, (_, job) => addresses(5, job * 5));
    const calls = inputs.map((batch) => track(client.run(search(batch))));
    await advance(40_000);

    calls.forEach((call, job) => expect(call.value).toEqual(expected(inputs[job])));
    expect(ofType(events, "quota-suspected")).toEqual([]);
    // While paused, one trial request at a time: the outage costs a handful of requests.
    expect(fake.requests.filter((request) => request.status === 429).length).toBeLessThanOrEqual(8);
    // The rate halved once, at the first 429 (not again per trial), and is back after it.
    const rates = ofType(events, "rate").map((event) => event.ratePerSecond);
    expect(Math.min(...rates)).toBe(2.5);
    expect(client.state).toMatchObject({ phase: "ok", ratePerSecond: 5 });
  });
});

describe("the quota", () => {
  it("settles every waiting caller within 150 s after at most 20 requests, then probes alone", async () => {
    const { fake, client, events } = harness({ client: { waitLimitMs: 600_000 } });
    fake.quotaSpent(true);
    const calls = Array.from({ length: 5 }, (_, job) =>
      track(client.run(search(addresses(2, job * 2))))
    );
    await advance(150_000);

    for (const call of calls) {
      expect(call.error).toBeInstanceOf(GeoapifyError);
      expect((call.error as GeoapifyError).kind).toBe("quota");
    }
    expect(fake.requests.length).toBeLessThanOrEqual(20);
    expect(ofType(events, "quota-suspected")).toHaveLength(1);
    expect(client.state.phase).toBe("quota");

    // New callers fail at once, sending nothing.
    const sent = fake.requests.length;
    await expect(client.run(search(["9 Baker St London"]))).rejects.toMatchObject({
      kind: "quota",
    });
    const check = client.checkKey();
    await advance(0);
    await expect(check).resolves.toBe("unknown");
    expect(fake.requests.length).toBe(sent);

    // An hour later: one probe at a time, at growing intervals, each let out by a caller.
    let probes = 0;
    for (let minute = 0; minute < 60; minute++) {
      const before = fake.requests.length;
      track(client.run(search([`${minute} Probe Road`])));
      await advance(60_000);
      probes += fake.requests.length - before;
      expect(fake.requests.length - before).toBeLessThanOrEqual(1);
    }
    expect(probes).toBeGreaterThanOrEqual(2);
    expect(probes).toBeLessThanOrEqual(5);
  });

  it("resumes by itself when a probe succeeds; callers arriving meanwhile wait for it", async () => {
    const { fake, client, events } = harness({
      client: { quotaAfterMs: 10_000, probeIntervalMs: 60_000 },
      fake: { jobMs: () => 100 },
    });
    fake.quotaSpent(true);
    const first = track(client.run(search(["1 Baker St London"])));
    await advance(40_000);
    expect(first.error).toMatchObject({ kind: "quota" });

    fake.quotaSpent(false);
    await advance(40_000);
    // Probe due: the first caller is the probe; the second waits for its outcome.
    const probe = track(client.run(search(["2 Baker St London"])));
    const waiting = track(client.run(search(["3 Baker St London"])));
    await advance(0);
    expect(waiting.settled).toBe(false);
    await advance(10_000);
    expect(probe.value).toEqual(expected(["2 Baker St London"]));
    expect(waiting.value).toEqual(expected(["3 Baker St London"]));
    expect(ofType(events, "resumed")).toHaveLength(1);
    expect(client.state.phase).toBe("ok");
  });

  it("fails the callers who waited on a probe that got a 429, then waits for the next probe", async () => {
    const { fake, client } = harness({ client: { quotaAfterMs: 10_000, probeIntervalMs: 60_000 } });
    fake.quotaSpent(true);
    track(client.run(search(["1 Baker St London"])));
    await advance(100_000);
    const probe = track(client.run(search(["2 Baker St London"])));
    const waiting = track(client.run(search(["3 Baker St London"])));
    await advance(0);
    const sent = fake.requests.length;
    await advance(5_000);
    expect(fake.requests.length).toBe(sent);
    expect(probe.error).toMatchObject({ kind: "quota" });
    expect(waiting.error).toMatchObject({ kind: "quota" });
    expect(client.state.resumeAt).toBeGreaterThan(Date.now() + 60_000);
  });

  it("belongs to the key: a client for a new key starts fresh", async () => {
    const { fake, client, another } = harness({ client: { quotaAfterMs: 10_000 } });
    fake.quotaSpent(true);
    track(client.run(search(["1 Baker St London"])));
    await advance(60_000);
    expect(client.state.phase).toBe("quota");

    fake.quotaSpent(false);
    const fresh = another({ apiKey: "a-new-key" });
    expect(fresh.state).toMatchObject({ phase: "ok", ratePerSecond: 5, queuedRequests: 0 });
    const call = track(fresh.run(search(["1 Baker St London"])));
    await advance(5_000);
    // The fake accepts only API_KEY: the new key is sent at once and answered 401.
    expect(call.error).toMatchObject({ kind: "auth" });
  });
});
