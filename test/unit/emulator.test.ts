// The Geoapify emulator over real HTTP on 127.0.0.1: the job life cycle, client errors, CORS,
// bookkeeping and shutdown. Job timing runs on an injected clock, so nothing here sleeps to wait
// for a job.

import { describe, expect, it } from "vitest";
import { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import type { BatchJobPending, BatchResult } from "../../src/geoapify/types";
import {
  emulatorOnLoopback,
  expectError,
  KEY,
  manualClock,
  REVERSE,
  SEARCH,
} from "./support/emulator-http";

const loop = emulatorOnLoopback();
const { start, post, poll, geocodeAll } = loop;

describe("batch job life cycle", () => {
  it("answers 202 pending, then 200 with one result per input in input order, re-readable", async () => {
    const clock = manualClock();
    await start({ jobBaseMs: 100, jobPerAddressMs: 10, now: clock.now });
    const addresses = ["Statue of Liberty New York", "Nowhere in particular", "7 Elm Row, Dover"];

    const submitted = await post(SEARCH, addresses);
    expect(submitted.status).toBe(202);
    const pending = (await submitted.json()) as BatchJobPending;
    expect(pending.id).toMatch(/^[0-9a-f]{32}$/);
    expect(pending.status).toBe("pending");
    expect(pending.url).toBe(`${loop.base}${SEARCH}?id=${pending.id}&apiKey=${KEY}`);

    clock.advance(129);
    const stillPending = await fetch(pending.url);
    expect(stillPending.status).toBe(202);
    expect(await stillPending.json()).toEqual(pending);

    clock.advance(1);
    const done = await fetch(pending.url);
    expect(done.status).toBe(200);
    const results = (await done.json()) as BatchResult[];
    expect(results.map((result) => result.query.text)).toEqual(addresses);

    const again = await fetch(pending.url);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(results);
  });

  it("runs jobs independently: a short job submitted later can finish first", async () => {
    const clock = manualClock();
    await start({ jobBaseMs: 100, jobPerAddressMs: 10, now: clock.now });
    const long = (await (
      await post(SEARCH, Array(10).fill("1 Long Road"))
    ).json()) as BatchJobPending;
    clock.advance(50);
    const short = (await (await post(SEARCH, ["2 Short Road"])).json()) as BatchJobPending;

    clock.advance(110); // the short job is due at 50 + 110, the long one at 200
    expect((await fetch(short.url)).status).toBe(200);
    expect((await fetch(long.url)).status).toBe(202);
    clock.advance(40);
    expect((await fetch(long.url)).status).toBe(200);
  });

  it("answers 200 with the results straight from the submit when a job takes no time", async () => {
    await start({ jobBaseMs: 0, jobPerAddressMs: 0 });
    const response = await post(SEARCH, ["Buckingham Palace London", "9 Any Street"]);
    expect(response.status).toBe(200);
    const results = (await response.json()) as BatchResult[];
    expect(results.map((result) => result.query.text)).toEqual([
      "Buckingham Palace London",
      "9 Any Street",
    ]);
    expect(loop.emulator.requests[0]).toMatchObject({ kind: "submit", status: 200, addresses: 2 });
  });

  it("forgets results 24 hours after the job finished", async () => {
    const clock = manualClock();
    await start({ jobBaseMs: 100, now: clock.now });
    const pending = (await (await post(SEARCH, ["1 Old Road"])).json()) as BatchJobPending;
    clock.advance(100 + 24 * 60 * 60 * 1000);
    expect((await fetch(pending.url)).status).toBe(200);
    clock.advance(1);
    await expectError(await fetch(pending.url), 404, /not found/i);
  });

  it("keeps a job pending when its duration is set at run time", async () => {
    const clock = manualClock();
    const instance = await start({ now: clock.now });
    instance.set({ jobBaseMs: 500 });
    const pending = (await (await post(SEARCH, ["1 Slow Road"])).json()) as BatchJobPending;
    clock.advance(499);
    expect((await fetch(pending.url)).status).toBe(202);
    clock.advance(1);
    expect((await fetch(pending.url)).status).toBe(200);
  });
});

describe("client errors", () => {
  it.each<[string, unknown, string]>([
    ["a body that is not JSON", '["1 Main St"', "Invalid request payload JSON format"],
    ["a body that is not an array", { addresses: ["1 Main St"] }, '"body" must be an array'],
    ["an empty array", [], '"body" must contain at least 1 items'],
    [
      "more than 1,000 items",
      Array.from({ length: 1001 }, (_, index) => `${index} Main St`),
      '"body" must contain less than or equal to 1000 items',
    ],
    ["an item that is not a string", ["1 Main St", 42], '"body[1]" must be a string'],
  ])("answers 400 to %s", async (_case, body, message) => {
    await start();
    await expectError(await post(SEARCH, body), 400, message);
    expect(loop.emulator.jobsSubmitted()).toEqual([]);
  });

  it("accepts exactly 1,000 items", async () => {
    await start();
    const addresses = Array.from({ length: 1000 }, (_, index) => `${index} Main St`);
    expect(await geocodeAll(addresses)).toHaveLength(1000);
  });

  it("answers 413 to a body far beyond 1,000 addresses, without keeping it", async () => {
    await start();
    await expectError(await post(SEARCH, ["x".repeat(5 * 1024 * 1024)]), 413, /maximum/);
    expect(loop.emulator.requests[0]).toMatchObject({ kind: "submit", status: 413 });
  });

  it("answers 400 to a poll without an id", async () => {
    await start();
    await expectError(await fetch(`${loop.base}${SEARCH}?apiKey=${KEY}`), 400, '"id" is required');
  });

  it("answers 401 to a missing, empty or invalid key, before looking at the body", async () => {
    const instance = await start({ invalidKeys: ["revoked"] });
    await expectError(await post(SEARCH, ["1 Main St"], null), 401, "Invalid apiKey");
    await expectError(await post(SEARCH, ["1 Main St"], ""), 401, "Invalid apiKey");
    await expectError(await post(SEARCH, "not json", "revoked"), 401, "Invalid apiKey");
    await expectError(await poll("0".repeat(32), SEARCH, "revoked"), 401, "Invalid apiKey");
    expect((await post(SEARCH, ["1 Main St"], "any-other-key")).status).toBe(200);

    instance.set({ invalidKeys: ["any-other-key"] });
    await expectError(await post(SEARCH, ["1 Main St"], "any-other-key"), 401, "Invalid apiKey");
  });

  it("answers 404 to an unknown job and to an unknown path", async () => {
    await start();
    await expectError(await poll("0123456789abcdef0123456789abcdef"), 404, /not found/i);
    await expectError(await poll("not-an-id"), 404, /not found/i);
    await expectError(await fetch(`${loop.base}/v1/elsewhere?apiKey=${KEY}`), 404, "Not Found");
    await expectError(
      await fetch(`${loop.base}${SEARCH}?apiKey=${KEY}`, { method: "PUT" }),
      404,
      "Not Found"
    );
  });
});

describe("CORS", () => {
  it("answers the preflight of a JSON POST from any origin", async () => {
    await start();
    const response = await fetch(`${loop.base}${SEARCH}?apiKey=${KEY}`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "content-type"
    );
    expect(loop.emulator.counts().total).toBe(0);
    expect(loop.emulator.requests[0]).toMatchObject({
      method: "OPTIONS",
      kind: "other",
      status: 204,
    });
  });

  it("allows any origin and exposes Retry-After on every answer, errors included", async () => {
    await start();
    for (const response of [await post(SEARCH, ["1 Main St"]), await poll("f".repeat(32))]) {
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-expose-headers")).toBe("Retry-After");
    }
  });

  it("hides Retry-After when configured to, like a server that forgets to expose it", async () => {
    const instance = await start({ exposeRetryAfter: false });
    instance.inject({ response: { status: 429, retryAfterSeconds: 3 } });
    const response = await post(SEARCH, ["1 Main St"]);
    expect(response.status).toBe(429);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-expose-headers")).toBeNull();
  });
});

describe("bookkeeping", () => {
  it("counts requests and remembers the addresses of each accepted job", async () => {
    const clock = manualClock();
    const instance = await start({ jobBaseMs: 10, now: clock.now });
    const first = (await (await post(SEARCH, ["1 A St", "2 B St"])).json()) as BatchJobPending;
    await post(SEARCH, ["3 C St", "4 D St", "5 E St"]);
    await post(SEARCH, []);
    await fetch(first.url);
    await fetch(`${loop.base}/v1/geocode/search?text=x&format=json&apiKey=${KEY}`);
    await post(REVERSE, [[0, 0]]);

    expect(instance.counts()).toEqual({
      submit: 3,
      poll: 1,
      single: 1,
      total: 6,
      addressesSubmitted: 5,
      largestJob: 3,
    });
    expect(instance.jobsSubmitted()).toEqual([
      ["1 A St", "2 B St"],
      ["3 C St", "4 D St", "5 E St"],
    ]);
    expect(instance.requests.map((request) => [request.kind, request.status])).toEqual([
      ["submit", 202],
      ["submit", 202],
      ["submit", 400],
      ["poll", 202],
      ["single", 200],
      ["reverse-submit", 202],
    ]);
    expect(instance.requests[3]).toMatchObject({ jobId: first.id, at: clock.now() });

    instance.reset();
    expect(instance.requests).toEqual([]);
    expect(instance.counts().total).toBe(0);
    expect(instance.jobsSubmitted()).toEqual([]);
    expect((await fetch(first.url)).status).toBe(404);
  });

  it("never records the API key, only whether there was one", async () => {
    const secret = "s3cr3t-key-do-not-log";
    const instance = await start({ invalidKeys: ["also-s3cr3t"] });
    const pending = await post(SEARCH, ["1 A St"], secret);
    await post(SEARCH, ["1 A St"], "also-s3cr3t");
    await post(SEARCH, ["1 A St"], null);
    await poll("b".repeat(32), SEARCH, secret);
    expect(pending.status).toBe(200);

    const recorded = JSON.stringify([
      instance.requests,
      instance.jobsSubmitted(),
      instance.counts(),
    ]);
    expect(recorded).not.toContain(secret);
    expect(recorded).not.toContain("also-s3cr3t");
    expect(instance.requests.map((request) => request.apiKeyPresent)).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });
});

describe("shutdown", () => {
  function activeHandles(): string[] {
    return process
      .getActiveResourcesInfo()
      .filter((type) => type === "Timeout" || type.startsWith("TCP"))
      .sort();
  }

  /** Handles once sockets of earlier tests have finished closing (bounded). */
  async function settledHandles(): Promise<string[]> {
    let previous = activeHandles();
    for (let attempt = 0; attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const current = activeHandles();
      if (current.join() === previous.join()) return current;
      previous = current;
    }
    return previous;
  }

  const count = (handles: string[], type: string) => handles.filter((t) => t === type).length;

  it("close() ends open connections and delayed answers, leaving no timer or socket", async () => {
    const before = await settledHandles();
    const instance = new GeoapifyEmulator({ latencyMs: 60_000 });
    const url = await instance.listen();
    const hanging = fetch(`${url}${SEARCH}?apiKey=${KEY}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(["1 A St"]),
    });
    // Bounded wait until the request sits in its latency delay.
    for (
      let attempt = 0;
      attempt < 200 && count(activeHandles(), "Timeout") <= count(before, "Timeout");
      attempt++
    ) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const during = activeHandles();
    expect(count(during, "Timeout")).toBeGreaterThan(count(before, "Timeout"));
    expect(count(during, "TCPServerWrap")).toBe(count(before, "TCPServerWrap") + 1);

    await instance.close();
    await expect(hanging).rejects.toThrow();
    await expect(fetch(`${url}${SEARCH}?apiKey=${KEY}`)).rejects.toThrow();
    // "No more than before": unrelated timers of the test runner may come and go meanwhile.
    const after = await settledHandles();
    for (const type of new Set([...during, ...after])) {
      expect(count(after, type), type).toBeLessThanOrEqual(count(before, type));
    }
  });

  it("close() is harmless when the emulator never listened or already closed", async () => {
    const instance = new GeoapifyEmulator();
    await instance.close();
    await instance.listen();
    await instance.close();
    await instance.close();
  });
});
