// Office single sign-on's way in: a Bearer JWT checked against a local JWKS server with locally
// signed tokens; its subject is the user, created on first use, barred by `user remove`. Also the
// user and cache commands.

import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { runCli } from "../../src/gateway/cli";
import { expectInvalidToken } from "./hooks";
import { addUser, type Replica, startReplica, TestRedis } from "./support";

const redis = new TestRedis();
const emulator = new GeoapifyEmulator();
const ISSUER = "https://login.example.test/tenant/v2.0";
const AUDIENCE = "api://geobatch-gateway";
let jwks: Server;
let replica: Replica;
let sign: (subject: string, audience?: string) => Promise<string>;

beforeAll(async () => {
  await redis.start();
  const upstream = await emulator.listen();
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test", alg: "RS256", use: "sig" };
  jwks = createServer((_request, response) => {
    response.setHeader("Content-Type", "application/json");
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  const address = jwks.address();
  const port = typeof address === "object" && address ? address.port : 0;
  sign = (subject, audience = AUDIENCE) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: "test" })
      .setSubject(subject)
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
  replica = await startReplica(redis.url, upstream, {
    GATEWAY_OIDC_ISSUER: ISSUER,
    GATEWAY_OIDC_AUDIENCE: AUDIENCE,
    GATEWAY_OIDC_JWKS_URL: `http://127.0.0.1:${port}/keys`,
    GATEWAY_DEFAULT_DAILY_BUDGET: "300",
  });
});

afterAll(async () => {
  await replica?.close();
  await new Promise((resolve) => jwks?.close(resolve));
  await emulator.close();
  await redis.stop();
});

const usage = (authorization: string) =>
  fetch(`${replica.url}/v1/gateway/usage`, { headers: { Authorization: authorization } });

it("takes a signed-in subject as the user, created on first use with the default budget", async () => {
  const answer = await usage(`Bearer ${await sign("dora@example.com")}`);
  expect(answer.status).toBe(200);
  expect(await answer.json()).toMatchObject({
    user: "dora@example.com",
    creditsToday: 0,
    dailyBudgetCredits: 300,
  });
});

it("refuses a token for another audience, an unsigned one and a barred subject", async () => {
  expect((await usage(`Bearer ${await sign("eve", "api://other")}`)).status).toBe(401);
  expect((await usage("Bearer not.a.jwt")).status).toBe(401);
  const io = { out: () => {}, err: () => {} };
  expect(await runCli(["user", "remove", "dora@example.com"], { REDIS_URL: redis.url }, io)).toBe(
    0
  );
  await expectInvalidToken(await usage(`Bearer ${await sign("dora@example.com")}`));
});

it("lists users with their credits per day, and forgets cached answers", async () => {
  const token = await addUser(redis.url, "fay", 50);
  const post = await fetch(`${replica.url}/v1/batch/geocode/search?apiKey=${token}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(["1 Forget Street, Springfield"]),
  });
  const { id } = (await post.json()) as { id: string };
  const poll = () => fetch(`${replica.url}/v1/batch/geocode/search?apiKey=${token}&id=${id}`);
  for (let attempt = 0; attempt < 100 && (await poll()).status !== 200; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const out: string[] = [];
  const io = { out: (line: string) => out.push(line), err: () => {} };
  expect(await runCli(["user", "list", "--days", "2"], { REDIS_URL: redis.url }, io)).toBe(0);
  expect(out).toContainEqual(expect.stringMatching(/^fay\t50\t0\.5\t0$/));
  out.length = 0;
  const forget = ["cache", "forget", "1 forget street, springfield"];
  expect(await runCli(forget, { REDIS_URL: redis.url }, io)).toBe(0);
  expect(out).toEqual(["Dropped 1"]);
});
