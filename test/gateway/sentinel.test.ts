// REDIS_URL through Redis Sentinel (redis+sentinel://host:port/master), as a managed setup past
// one machine uses it: a real Sentinel on loopback points the gateway at the master it watches.

import { afterAll, beforeAll, expect, it } from "vitest";
import { GeoapifyEmulator } from "../../src/dev/emulator/emulator";
import { runCli } from "../../src/gateway/cli";
import { type Replica, startReplica, TestRedis } from "./support";

const master = new TestRedis();
const sentinel = new TestRedis(master);
const emulator = new GeoapifyEmulator();
let replica: Replica;
let sentinelUrl: string;

beforeAll(async () => {
  await master.start();
  await sentinel.start();
  sentinelUrl = `redis+sentinel://127.0.0.1:${sentinel.port}/geobatch`;
  replica = await startReplica(sentinelUrl, await emulator.listen());
});

afterAll(async () => {
  await replica?.close();
  await emulator.close();
  await sentinel.stop();
  await master.stop();
});

it("finds the master through Sentinel, for the service and the user commands", async () => {
  const out: string[] = [];
  const io = { out: (line: string) => out.push(line), err: () => {} };
  expect(await runCli(["user", "add", "sam"], { REDIS_URL: sentinelUrl }, io)).toBe(0);
  const usage = await fetch(`${replica.url}/v1/gateway/usage?apiKey=${out[0]}`);
  expect(await usage.json()).toMatchObject({ user: "sam", creditsToday: 0 });
  expect((await fetch(`${replica.url}/healthz`)).status).toBe(200);
});
