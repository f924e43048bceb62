// Geoapify's limits in the emulator, over real HTTP on 127.0.0.1: the per-key rate, outages, slow
// jobs, and the dev-only control API that switches them live. Time is the injected clock: nothing
// here sleeps.

import { describe, expect, it } from "vitest";
import type { EmulatorStats } from "../../src/dev/emulator/emulator";
import type { BatchJobPending } from "../../src/geoapify/types";
import {
  emulatorOnLoopback,
  expectError,
  expectSpec429,
  manualClock,
  REVERSE,
  SEARCH,
} from "./support/emulator-http";

const loop = emulatorOnLoopback();
const { start, post, get } = loop;

const single = (text = "1 A St") =>
  get(`/v1/geocode/search?text=${encodeURIComponent(text)}&format=json`);

describe("rate mode", () => {
  it("answers 429 to exactly the requests over the rate in a rolling second", async () => {
    const clock = manualClock();
    const instance = await start({ rateLimitPerSecond: 3, jobBaseMs: 10_000, now: clock.now });
    const pending = (await (await post(SEARCH, ["1 A St"])).json()) as BatchJobPending;
    // Arrival times in ms after the submit above, which used one request of the rate.
    const schedule = [0, 0, 0, 500, 999, 1000, 1500, 1999, 2000, 2000];
    const statuses: number[] = [];
    let elapsed = 0;
    for (const [index, at] of schedule.entries()) {
      clock.advance(at - elapsed);
      elapsed = at;
      const request = [() => single(), () => loop.poll(pending.id), () => post(SEARCH, ["2 B St"])];
      const response = await request[index % 3]();
      statuses.push(response.status === 429 ? 429 : 0);
      if (response.status === 429) await expectSpec429(response);
    }
    // Window (t-1000, t]: 3 served at 0 (the submit and two more), none at 500 or 999; 1000
    // no longer sees those at 0; the first at 2000 sees 1500 and 1999 only, the second three.
    expect(statuses).toEqual([0, 0, 429, 429, 429, 0, 0, 0, 0, 429]);

    const rejected = instance.requests.filter((request) => request.limit === "rate");
    expect(rejected.map((request) => request.status)).toEqual([429, 429, 429, 429]);
    expect(instance.stats().rejected).toEqual({ rate: 4, outage: 0, quota: 0 });
  });

  it("counts each API key on its own and sends Retry-After when configured", async () => {
    const clock = manualClock();
    await start({ rateLimitPerSecond: 1, retryAfterSeconds: 2, now: clock.now });
    expect((await single()).status).toBe(200);
    const limited = await single();
    expect(limited.headers.get("retry-after")).toBe("2");
    await expectSpec429(limited);
    expect((await loop.get("/v1/geocode/search?text=x&format=json", "other-key")).status).toBe(200);
  });

  it("lets a new rate or no rate apply from the next request on", async () => {
    const clock = manualClock();
    const instance = await start({ now: clock.now });
    for (let index = 0; index < 20; index++) expect((await single()).status).toBe(200);
    instance.set({ rateLimitPerSecond: 2 });
    expect([(await single()).status, (await single()).status, (await single()).status]).toEqual([
      200, 200, 429,
    ]);
    instance.set({ rateLimitPerSecond: 0 });
    expect((await single()).status).toBe(200);
    expect(() => instance.set({ rateLimitPerSecond: 1.5 })).toThrow(RangeError);
  });
});

describe("outage mode", () => {
  it("answers every API request 429 from its start to its end, then serves again", async () => {
    const clock = manualClock();
    const instance = await start({ outage: { afterMs: 1000, durationMs: 5000 }, now: clock.now });
    expect((await single()).status).toBe(200);
    clock.advance(1000);
    await expectSpec429(await post(SEARCH, ["1 A St"]));
    await expectSpec429(await post(REVERSE, [[2.29, 48.85]]));
    await expectSpec429(await loop.poll("a".repeat(32)));
    clock.advance(4999);
    await expectSpec429(await single());
    clock.advance(1);
    expect((await single()).status).toBe(200);
    expect(instance.stats().rejected).toEqual({ rate: 0, outage: 4, quota: 0 });
    expect(instance.jobsSubmitted()).toEqual([]);
  });

  it("starts and ends through startOutage() and set({ outageUntil })", async () => {
    const clock = manualClock();
    const instance = await start({ rateLimitPerSecond: 1, now: clock.now });
    instance.startOutage(30_000);
    for (let index = 0; index < 3; index++) await expectSpec429(await single());
    // Refused requests used none of the rate: the first one after the outage is served.
    instance.set({ outageUntil: clock.now() });
    expect((await single()).status).toBe(200);
    await expectError(await single("2 B St"), 429, "Quota exceeded");
    expect(instance.requests.map((request) => request.limit)).toEqual([
      "outage",
      "outage",
      "outage",
      undefined,
      "rate",
    ]);
  });

  it("still answers 401 to a bad key during an outage", async () => {
    const clock = manualClock();
    const instance = await start({ invalidKeys: ["revoked"], now: clock.now });
    instance.startOutage(1000);
    await expectError(
      await loop.get("/v1/geocode/search?text=x", "revoked"),
      401,
      "Invalid apiKey"
    );
  });
});

describe("slow jobs", () => {
  it("makes every job take jobMs whatever its size, until set back to the size model", async () => {
    const clock = manualClock();
    const instance = await start({
      jobMs: 3000,
      jobBaseMs: 10,
      jobPerAddressMs: 1,
      now: clock.now,
    });
    const small = (await (await post(SEARCH, ["1 A St"])).json()) as BatchJobPending;
    const addresses = Array.from({ length: 1000 }, (_, index) => `${index} Main St`);
    const large = (await (await post(SEARCH, addresses)).json()) as BatchJobPending;
    clock.advance(2999);
    expect([(await fetch(small.url)).status, (await fetch(large.url)).status]).toEqual([202, 202]);
    clock.advance(1);
    expect([(await fetch(small.url)).status, (await fetch(large.url)).status]).toEqual([200, 200]);

    instance.set({ jobMs: null });
    const sized = (await (await post(SEARCH, ["1 A St", "2 B St"])).json()) as BatchJobPending;
    clock.advance(11);
    expect((await fetch(sized.url)).status).toBe(202);
    clock.advance(1);
    expect((await fetch(sized.url)).status).toBe(200);
  });
});

describe("control API", () => {
  const control = (path: string, body?: unknown, contentType = "application/json") =>
    fetch(`${loop.base}/__emulator/${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "Content-Type": contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("switches rate, outage and slow modes live and reports counts by kind and status", async () => {
    const clock = manualClock();
    const instance = await start({ now: clock.now });
    const changed = await control("modes", { rateLimitPerSecond: 1, jobMs: 2000 });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ rateLimitPerSecond: 1, jobMs: 2000 });
    expect((await post(SEARCH, ["1 A St"])).status).toBe(202);
    expect((await single()).status).toBe(429);

    expect((await control("modes", { outageSeconds: 30, rateLimitPerSecond: 0 })).status).toBe(200);
    expect((await single()).status).toBe(429);
    clock.advance(30_000);
    expect((await single()).status).toBe(200);

    const stats = (await (await control("stats")).json()) as EmulatorStats;
    expect(stats).toMatchObject({
      now: clock.now(),
      total: 4,
      byKind: { submit: { "202": 1 }, single: { "429": 2, "200": 1 } },
      rejected: { rate: 1, outage: 1, quota: 0 },
      modes: { rateLimitPerSecond: 0, jobMs: 2000, outageUntil: clock.now() },
    });
    expect(stats).toEqual(instance.stats());
    // Control calls are not Geoapify traffic: not recorded, not counted, never rate-limited.
    expect(instance.counts().total).toBe(4);
    expect(stats.modes).toEqual(await (await control("modes")).json());
  });

  it("ends an outage, resets, and refuses what it does not understand", async () => {
    const instance = await start();
    await control("modes", { outageSeconds: 60 });
    expect((await single()).status).toBe(429);
    await control("modes", { outageSeconds: 0 });
    expect((await single()).status).toBe(200);

    await expectError(await control("modes", { shoeSize: 42 }), 400, /"shoeSize" is not allowed/);
    await expectError(await control("modes", { latencyMs: -1 }), 400, /latencyMs/);
    await expectError(
      await control("modes", { jobMs: "slow" }),
      400,
      '"jobMs" must be a number or null'
    );
    await expectError(
      await control("modes", { neverFinish: true }, "text/plain"),
      415,
      /application\/json/
    );
    expect(instance.modes.neverFinish).toBe(false);
    await expectError(await control("nothing-here"), 404, "Not Found");

    expect((await control("reset", {})).status).toBe(200);
    expect(instance.requests).toEqual([]);
  });

  it("is absent when the emulator is built without it", async () => {
    const instance = await start({ controlApi: false });
    await expectError(await control("stats"), 404, "Not Found");
    expect(instance.requests.map((request) => request.kind)).toEqual(["other"]);
  });
});
