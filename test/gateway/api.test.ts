// One replica on a real Redis and the emulator: Geoapify's wire, tokens, budgets, bad input,
// usage, and that neither the company key nor a token reaches a log line or an answer.

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/gateway/cli";
import { hashToken } from "../../src/gateway/tokens";
import { expectInvalidToken, useRedisAndEmulator } from "./hooks";
import { addUser, COMPANY_KEY, type Replica, startReplica } from "./support";

const { redis, emulator, upstream } = useRedisAndEmulator();
let replica: Replica;
let alice: string;
let bob: string;

beforeAll(async () => {
  replica = await startReplica(redis.url, upstream());
  alice = await addUser(redis.url, "alice");
  bob = await addUser(redis.url, "bob", 1);
});

afterAll(async () => {
  await replica?.close();
});

const post = (kind: string, token: string, body: unknown, query = "") =>
  fetch(`${replica.url}/v1/batch/geocode/${kind}?apiKey=${token}${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function collect(kind: string, token: string, id: string): Promise<unknown[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const answer = await fetch(`${replica.url}/v1/batch/geocode/${kind}?apiKey=${token}&id=${id}`);
    if (answer.status === 200) return (await answer.json()) as unknown[];
    expect(answer.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("job never finished");
}

describe("the gateway speaks Geoapify's API", () => {
  it("runs a batch job under its own id and url, with no key in them", async () => {
    const answer = await post("search", alice, ["1 Gateway Street, Springfield", "Nowhere xyzzy"]);
    expect(answer.status).toBe(202);
    const body = (await answer.json()) as { id: string; status: string; url: string };
    expect(body.id).toMatch(/^[0-9a-f]{32}$/);
    expect(body).toEqual({
      id: body.id,
      status: "pending",
      url: `${replica.url}/v1/batch/geocode/search?id=${body.id}`,
    });
    const results = (await collect("search", alice, body.id)) as Array<Record<string, unknown>>;
    expect(results.map((result) => (result.query as { text: string }).text)).toEqual([
      "1 Gateway Street, Springfield",
      "Nowhere xyzzy",
    ]);
    expect(typeof results[0].lat).toBe("number");
    expect(results[1].lat).toBeUndefined();
    expect(emulator.jobsSubmitted()).toContainEqual([
      "1 Gateway Street, Springfield",
      "Nowhere xyzzy",
    ]);
  });

  it("answers a reverse job by position", async () => {
    const answer = await post("reverse", alice, [[-0.1419, 51.5014]]);
    const { id } = (await answer.json()) as { id: string };
    const [result] = (await collect("reverse", alice, id)) as Array<Record<string, unknown>>;
    expect(typeof result.formatted).toBe("string");
  });

  it("answers the add-in's key check: 404 for a valid token, 401 otherwise", async () => {
    const id = "0".repeat(32);
    const valid = await fetch(`${replica.url}/v1/batch/geocode/search?apiKey=${alice}&id=${id}`);
    expect(valid.status).toBe(404);
    expect(await valid.json()).toEqual({ statusCode: 404, error: "Not Found" });
    for (const query of ["apiKey=not-a-token&", ""]) {
      await expectInvalidToken(
        await fetch(`${replica.url}/v1/batch/geocode/search?${query}id=${id}`)
      );
    }
  });

  it("keeps a job to the user who submitted it", async () => {
    const { id } = (await (
      await post("search", alice, ["2 Gateway Street, Springfield"])
    ).json()) as {
      id: string;
    };
    const other = await fetch(`${replica.url}/v1/batch/geocode/search?apiKey=${bob}&id=${id}`);
    expect(other.status).toBe(404);
    expect(await collect("search", alice, id)).toHaveLength(1);
  });

  it("refuses bad input in Geoapify's words, naming the item, and sends none of it", async () => {
    const submits = () => emulator.requests.filter((r) => r.kind.endsWith("submit")).length;
    const before = submits();
    const cases: Array<[string, unknown, string]> = [
      ["search", ["fine", 12], '"body[1]" must be a string'],
      [
        "search",
        ["fine", "x".repeat(1001)],
        '"body[1]" length must be less than or equal to 1000 characters long',
      ],
      ["search", [], '"body" must contain at least 1 items'],
      ["search", Array(1001).fill("a"), '"body" must contain less than or equal to 1000 items'],
      ["search", { a: 1 }, '"body" must be an array'],
      [
        "reverse",
        [
          [0, 0],
          [0, 91],
        ],
        '"body[1][1]" must be a number in [-90, 90]',
      ],
    ];
    for (const [kind, body, message] of cases) {
      const answer = await post(kind, alice, body);
      expect(answer.status, message).toBe(400);
      expect(await answer.json()).toEqual({ statusCode: 400, error: "Bad Request", message });
    }
    const broken = await post("search", alice, "[not json");
    expect(broken.status).toBe(400);
    const huge = await post("search", alice, JSON.stringify(["y".repeat(4 * 1024 * 1024)]));
    expect(huge.status).toBe(413);
    expect(submits()).toBe(before);
  });

  it("answers no malformed request with a 5xx", async () => {
    const base = `${replica.url}/v1`;
    const attempts: Array<[string, RequestInit?]> = [
      [`${base}/batch/geocode/search?apiKey=${alice}`, { method: "POST", body: "" }],
      [`${base}/batch/geocode/search?apiKey=${alice}`, { method: "POST", body: "null" }],
      [`${base}/batch/geocode/search?apiKey=${alice}&lang=xx`, { method: "POST", body: "[]" }],
      [`${base}/batch/geocode/elsewhere?apiKey=${alice}`, { method: "POST", body: "[]" }],
      [`${base}/batch/geocode/search?apiKey=${alice}&id=../../etc`],
      [`${base}/batch/geocode/search?apiKey=${alice}&apiKey=${alice}&id=1`],
      [`${base}/geocode/search?apiKey=${alice}`],
      [`${base}/geocode/reverse?apiKey=${alice}&lat=abc&lon=1`],
      [`${base}/geocode/reverse?apiKey=${alice}&lat=1&lat=2&lon=1`],
      [`${base}/geocode/search?apiKey=${alice}&text=${"z".repeat(1001)}`],
    ];
    for (const [url, init] of attempts) {
      const answer = await fetch(url, {
        ...init,
        headers: init?.body === undefined ? {} : { "Content-Type": "application/json" },
      });
      expect(answer.status, url.slice(0, 120)).toBeGreaterThanOrEqual(400);
      expect(answer.status, url.slice(0, 120)).toBeLessThan(500);
      expect(await answer.json()).toMatchObject({ statusCode: answer.status });
    }
  });

  it("refuses a job over the daily budget whole, with the budget body", async () => {
    const before = emulator.counts().total;
    const addresses = ["10 Budget Street, Springfield", "11 Budget Street, Springfield"];
    const over = await post("search", bob, [...addresses, "12 Budget Street, Springfield"]);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await over.json()).toEqual({
      statusCode: 429,
      error: "Budget Exceeded",
      message: "Daily budget of 1 credits is spent",
    });
    expect(emulator.counts().total).toBe(before);
    // Two new addresses cost 1 credit, just within the budget.
    const { id } = (await (await post("search", bob, addresses)).json()) as { id: string };
    await collect("search", bob, id);
    const usage = await fetch(`${replica.url}/v1/gateway/usage?apiKey=${bob}`);
    expect(await usage.json()).toEqual({
      user: "bob",
      day: new Date().toISOString().slice(0, 10),
      creditsToday: 1,
      dailyBudgetCredits: 1,
    });
  });

  it("revokes a rotated token and a removed user at once", async () => {
    const carol = await addUser(redis.url, "carol");
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line), err: () => {} };
    expect(await runCli(["user", "rotate", "carol"], { REDIS_URL: redis.url }, io)).toBe(0);
    const usage = (token: string) => fetch(`${replica.url}/v1/gateway/usage?apiKey=${token}`);
    expect((await usage(carol)).status).toBe(401);
    expect((await usage(out[0])).status).toBe(200);
    expect(await runCli(["user", "remove", "carol"], { REDIS_URL: redis.url }, io)).toBe(0);
    expect((await usage(out[0])).status).toBe(401);
  });

  it("serves single lookups from the shared cache for free", async () => {
    const text = encodeURIComponent("1 Gateway Street, Springfield");
    const before = emulator.counts().single;
    const answer = await fetch(
      `${replica.url}/v1/geocode/search?apiKey=${alice}&text=${text}&format=json`
    );
    const body = (await answer.json()) as { results: Array<{ lat: number }> };
    expect(body.results).toHaveLength(1);
    expect(emulator.counts().single).toBe(before);

    const usage = async () => {
      const answer = await fetch(`${replica.url}/v1/gateway/usage?apiKey=${alice}`);
      return ((await answer.json()) as { creditsToday: number }).creditsToday;
    };
    const creditsBefore = await usage();
    const reverse = await fetch(
      `${replica.url}/v1/geocode/reverse?apiKey=${alice}&lat=48.8584&lon=2.2945&format=json`
    );
    expect(((await reverse.json()) as { results: unknown[] }).results).toHaveLength(1);
    expect(emulator.counts().single).toBe(before);
    expect(emulator.requests.filter((r) => r.kind === "single-reverse")).toHaveLength(1);
    expect(await usage()).toBe(creditsBefore + 1);
  });

  it("writes neither the company key nor a token to its logs", async () => {
    const logs = replica.logs.join("");
    expect(logs).toContain('"route":"/v1/batch/geocode/:kind"');
    expect(logs).not.toContain(COMPANY_KEY);
    expect(logs).not.toContain(alice);
    expect(logs).not.toContain(bob);
  });

  it("keeps neither the company key nor a token in Redis, only the tokens' hashes", async () => {
    const redisClient = new Redis(redis.url);
    try {
      const keys = await redisClient.keys("*");
      expect(keys.length).toBeGreaterThan(5);
      const dump: string[] = [...keys];
      for (const key of keys) {
        const type = await redisClient.type(key);
        if (type === "string") dump.push((await redisClient.get(key)) ?? "");
        if (type === "hash") dump.push(JSON.stringify(await redisClient.hgetall(key)));
        if (type === "list") dump.push(...(await redisClient.lrange(key, 0, -1)));
        if (type === "set") dump.push(...(await redisClient.smembers(key)));
        if (type === "zset") dump.push(...(await redisClient.zrange(key, 0, -1)));
      }
      const everything = dump.join("\n");
      expect(everything).not.toContain(COMPANY_KEY);
      expect(everything).not.toContain(alice);
      expect(everything).not.toContain(bob);
      expect(everything).toContain(hashToken(alice));
    } finally {
      redisClient.disconnect();
    }
  });
});
