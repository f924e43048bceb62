// The client against a team gateway's own answers (contracts 2 and 3), on the fake clock: a budget
// refusal ends the request at once, with no retry, slow-down or quota minute; a 503 is an outage
// that submits, polls and single lookups wait out (Retry-After honoured, capped) up to the job
// timeout, and a 503'd submit created no job.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GeoapifyClientOptions } from "../../src/geoapify/client";
import { advance, closeClients, harness, ofType, search, track } from "./support/client-harness";
import { answerFor } from "./support/fake-geoapify";
import { FakeGateway, GATEWAY_ORIGIN, GATEWAY_TOKEN } from "./support/fake-gateway";

const ADDRESS = "1 Baker St London";
const found = (input: string) => expect.objectContaining(answerFor(input) ?? {});

function throughGateway(
  gateway: FakeGateway,
  client: Partial<GeoapifyClientOptions> = {}
): ReturnType<typeof harness> {
  return harness({
    client: { baseUrl: GATEWAY_ORIGIN, apiKey: GATEWAY_TOKEN, fetch: gateway.fetch, ...client },
  });
}

/** A search submitted as the gateway's outage of `ms` begins, its 503s with `retryAfterSeconds`. */
function searchInOutage(
  outage: { ms: number; retryAfterSeconds: string },
  client: Partial<GeoapifyClientOptions> = {}
) {
  const gateway = new FakeGateway({ retryAfterSeconds: outage.retryAfterSeconds });
  gateway.outage(outage.ms);
  const through = throughGateway(gateway, client);
  return { gateway, events: through.events, call: track(through.client.run(search([ADDRESS]))) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

describe("a gateway's budget refusal", () => {
  it("ends the submit at once as 'budget', naming the budget, and slows nothing down", async () => {
    const gateway = new FakeGateway();
    gateway.budgetSpent = true;
    const { client, events } = throughGateway(gateway);
    const call = track(client.run(search([ADDRESS])));
    await advance(0);
    expect(call.error).toMatchObject({ kind: "budget", status: 429, budgetCredits: 500 });
    expect(gateway.requests.map((request) => request.status)).toEqual([429]);
    expect(ofType(events, "rate-limited")).toEqual([]);
    expect(ofType(events, "retried")).toEqual([]);
    expect(ofType(events, "rate")).toEqual([]);
    expect(client.state).toMatchObject({ phase: "ok", ratePerSecond: 5 });

    // Nothing paused: the next request goes out at once, and a minute of refusals is no quota.
    for (let minute = 0; minute < 2; minute++) {
      const again = track(client.run(search([`${minute} Baker St London`])));
      await advance(61_000);
      expect(again.error).toMatchObject({ kind: "budget" });
    }
    expect(gateway.requests).toHaveLength(3);
    expect(ofType(events, "quota-suspected")).toEqual([]);
    expect(client.state.phase).toBe("ok");
  });

  it("refuses only the new inputs: those joined to a running job are answered", async () => {
    const gateway = new FakeGateway({ jobMs: () => 2_000 });
    const { client } = throughGateway(gateway);
    const first = track(client.run(search([ADDRESS])));
    await advance(100);
    gateway.budgetSpent = true;
    const second = track(client.run(search([ADDRESS, "2 Baker St London"])));
    await advance(10_000);
    expect(first.value).toEqual([found(ADDRESS)]);
    expect(second.value?.[0]).toEqual(found(ADDRESS));
    expect(second.value?.[1]).toMatchObject({ kind: "budget", budgetCredits: 500 });
  });

  it("is read from the body: Geoapify's own 429 is still a rate limit, and is retried", async () => {
    const gateway = new FakeGateway({
      script: [{ behaviour: "rate-limit", latencyMs: 1, jobMs: 50, variant: 1 }],
    });
    const { client, events } = throughGateway(gateway);
    const call = track(client.run(search([ADDRESS])));
    await advance(20_000);
    expect(call.value).toEqual([found(ADDRESS)]);
    expect(ofType(events, "rate-limited")).toHaveLength(1);
  });
});

describe("a gateway's 503 outage", () => {
  it("keeps a submit waiting through 30 s of 503s, honouring Retry-After, and creates one job", async () => {
    const { gateway, events, call } = searchInOutage({ ms: 30_000, retryAfterSeconds: "2" });
    await advance(29_000);
    expect(call.settled).toBe(false);
    await advance(10_000);
    expect(call.value).toEqual([found(ADDRESS)]);
    const statuses = gateway.requests.map((request) => `${request.method} ${request.status}`);
    expect(statuses.filter((status) => status === "POST 503").length).toBeGreaterThan(4);
    expect(statuses.filter((status) => status.startsWith("POST 2"))).toEqual(["POST 202"]);
    expect(gateway.upstream.submits).toHaveLength(1);
    const waits = ofType(events, "retried").map((retry) => retry.delayMs);
    expect(new Set(waits)).toEqual(new Set([2_000]));
  });

  it("caps a long Retry-After at the longest back-off", async () => {
    const { events, call } = searchInOutage({ ms: 45_000, retryAfterSeconds: "3600" });
    await advance(100_000);
    expect(call.value).toEqual([found(ADDRESS)]);
    expect(ofType(events, "retried").map((retry) => retry.delayMs)).toEqual([30_000, 30_000]);
  });

  it("fails a submit as 'unavailable' once the outage outlasts the job timeout", async () => {
    const { gateway, call } = searchInOutage(
      { ms: 10 * 60_000, retryAfterSeconds: "5" },
      { waitLimitMs: 60_000 }
    );
    await advance(59_000);
    expect(call.settled).toBe(false);
    await advance(2_000);
    expect(call.error).toMatchObject({ kind: "unavailable", status: 503 });
    expect(gateway.upstream.submits).toHaveLength(0);
    // One request per Retry-After, and one at the deadline: bounded, never a busy loop.
    expect(gateway.requests).toHaveLength(13);
  });

  it("keeps polling a paid job through an outage, and collects it after", async () => {
    const gateway = new FakeGateway({ jobMs: () => 1_000 });
    const { client } = throughGateway(gateway);
    const call = track(client.run(search([ADDRESS])));
    await advance(50);
    gateway.outage(30_000);
    await advance(29_000);
    expect(call.settled).toBe(false);
    await advance(60_000);
    expect(call.value).toEqual([found(ADDRESS)]);
    expect(gateway.upstream.submits).toHaveLength(1);
    expect(gateway.requests.filter((request) => request.status === 503).length).toBeGreaterThan(3);
  });

  it("tells a cell whose job timeout passes in the outage that the service is unavailable", async () => {
    const gateway = new FakeGateway({ jobMs: () => 1_000 });
    const { client } = throughGateway(gateway, { waitLimitMs: 20_000 });
    const call = track(client.run(search([ADDRESS])));
    await advance(50);
    gateway.outage(60_000);
    await advance(21_000);
    expect(call.error).toMatchObject({ kind: "unavailable" });
  });

  it("keeps a single lookup waiting through the outage", async () => {
    const gateway = new FakeGateway();
    gateway.outage(30_000);
    const { client } = throughGateway(gateway);
    const lookup = track(client.single("search", {}, ADDRESS));
    await advance(40_000);
    expect(lookup.value).toMatchObject(answerFor(ADDRESS) ?? {});
    expect(gateway.requests.filter((request) => request.status === 503).length).toBeGreaterThan(4);
  });
});
