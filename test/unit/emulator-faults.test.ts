// The emulator's scripted faults and failure modes, over real HTTP on 127.0.0.1.

import { describe, expect, it } from "vitest";
import type { Fault } from "../../src/dev/emulator/emulator";
import type { BatchJobPending, BatchResult } from "../../src/geoapify/types";
import { emulatorOnLoopback, expectError, KEY, manualClock, SEARCH } from "./support/emulator-http";

const loop = emulatorOnLoopback();
const { start, post, poll, geocodeAll } = loop;

describe("fault injection", () => {
  it("answers 429 with Retry-After and a message once, then behaves again", async () => {
    const instance = await start();
    instance.inject({ response: { status: 429, retryAfterSeconds: 2, message: "Slow down" } });
    const limited = await post(SEARCH, ["1 Main St"]);
    expect(limited.headers.get("retry-after")).toBe("2");
    await expectError(limited, 429, "Slow down");
    expect((await post(SEARCH, ["1 Main St"])).status).toBe(200);
    expect(instance.jobsSubmitted()).toEqual([["1 Main St"]]);
  });

  it.each([500, 502, 503] as const)("answers %i as a JSON error", async (status) => {
    const instance = await start();
    instance.inject({ response: { status } });
    await expectError(await post(SEARCH, ["1 Main St"]), status, /try again/);
  });

  it("answers an injected 401 although the key is valid", async () => {
    const instance = await start();
    instance.inject({ response: { status: 401 } });
    await expectError(await post(SEARCH, ["1 Main St"]), 401, "Invalid apiKey");
  });

  it("drops the connection without an answer", async () => {
    const instance = await start();
    instance.inject({ response: "drop" });
    await expect(post(SEARCH, ["1 Main St"])).rejects.toThrow();
    expect(instance.requests[0]).toMatchObject({ kind: "submit", status: 0 });
    expect((await post(SEARCH, ["1 Main St"])).status).toBe(200);
  });

  it("answers 200 with a body that is not JSON", async () => {
    const instance = await start();
    instance.inject({ response: "malformed" });
    const response = await post(SEARCH, ["1 Main St"]);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it("drops one element from the next finished results, waiting for them", async () => {
    const clock = manualClock();
    const instance = await start({ jobBaseMs: 10, now: clock.now });
    instance.inject({ on: "poll", response: "wrong-length" });
    const pending = (await (
      await post(SEARCH, ["1 A St", "2 B St", "3 C St"])
    ).json()) as BatchJobPending;
    expect((await fetch(pending.url)).status).toBe(202);
    clock.advance(10);
    const short = (await (await fetch(pending.url)).json()) as BatchResult[];
    expect(short.map((result) => result.query.text)).toEqual(["1 A St", "2 B St"]);
    const full = (await (await fetch(pending.url)).json()) as BatchResult[];
    expect(full).toHaveLength(3);
  });

  it("reverses the order of the next finished results", async () => {
    const instance = await start();
    instance.inject({ response: "reorder" });
    const results = await geocodeAll(["1 A St", "2 B St", "3 C St"]);
    expect(results.map((result) => result.query.text)).toEqual(["3 C St", "2 B St", "1 A St"]);
  });

  it("fires each fault only on the kind of request it targets, in injection order", async () => {
    const clock = manualClock();
    const instance = await start({ jobBaseMs: 10, now: clock.now });
    const faults: Fault[] = [
      { on: "poll", response: { status: 503 } },
      { on: "submit", response: { status: 502 } },
      { on: "poll", response: { status: 500 } },
    ];
    instance.inject(...faults);
    expect((await post(SEARCH, ["1 A St"])).status).toBe(502);
    const pending = (await (await post(SEARCH, ["1 A St"])).json()) as BatchJobPending;
    expect((await fetch(pending.url)).status).toBe(503);
    expect((await fetch(pending.url)).status).toBe(500);
    expect((await fetch(pending.url)).status).toBe(202);
    expect(
      (await fetch(`${loop.base}/v1/geocode/search?text=x&format=json&apiKey=${KEY}`)).status
    ).toBe(200);
  });

  it("cuts the next submit and poll answers off mid-JSON, creating the job all the same", async () => {
    const clock = manualClock();
    const instance = await start({ jobBaseMs: 10, now: clock.now, cutSubmits: 1 });
    const cut = await post(SEARCH, ["1 A St"]);
    expect(cut.status).toBe(202);
    const text = await cut.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(instance.requests[0]).toMatchObject({ kind: "submit", status: 202 });
    expect(instance.modes.cutSubmits).toBe(0);

    const pending = (await (await post(SEARCH, ["2 B St"])).json()) as BatchJobPending;
    clock.advance(10);
    instance.set({ cutPolls: 2 });
    for (let poll = 0; poll < 2; poll++) {
      const cutPoll = await (await fetch(pending.url)).text();
      expect(cutPoll.startsWith('[{"query":')).toBe(true);
      expect(() => JSON.parse(cutPoll)).toThrow();
    }
    const results = (await (await fetch(pending.url)).json()) as BatchResult[];
    expect(results.map((result) => result.query.text)).toEqual(["2 B St"]);
  });

  it("keeps jobs pending forever in neverFinish mode, even jobs that take no time", async () => {
    const clock = manualClock();
    const instance = await start({ jobBaseMs: 10, now: clock.now });
    instance.set({ neverFinish: true });
    const pending = (await (await post(SEARCH, ["1 A St"])).json()) as BatchJobPending;
    clock.advance(60 * 60 * 1000);
    expect((await fetch(pending.url)).status).toBe(202);
    instance.set({ jobBaseMs: 0 });
    expect((await post(SEARCH, ["2 B St"])).status).toBe(202);

    instance.set({ neverFinish: false });
    expect((await fetch(pending.url)).status).toBe(200);
  });

  it("answers every API request 429 Quota exceeded when the quota is spent", async () => {
    const instance = await start();
    instance.set({ quotaExhausted: true });
    await expectError(await post(SEARCH, ["1 A St"]), 429, /Quota exceeded/);
    await expectError(await poll("a".repeat(32)), 429, /Quota exceeded/);
    await expectError(
      await fetch(`${loop.base}/v1/geocode/search?text=x&format=json&apiKey=${KEY}`),
      429,
      /Quota exceeded/
    );
    instance.reset();
    expect((await post(SEARCH, ["1 A St"])).status).toBe(200);
  });

  it("delays every answer by the latency set at run time", async () => {
    const instance = await start();
    instance.set({ latencyMs: 80 });
    const startedAt = performance.now();
    expect((await post(SEARCH, ["1 A St"])).status).toBe(200);
    // A lower bound only: a busy machine can make it slower, never faster.
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(70);
  });
});
