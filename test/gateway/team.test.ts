// Two replicas, one Redis, the emulator at 5 requests/s, and three analysts' add-in clients with
// overlapping lists: every answer right, each address submitted once, upstream never over the
// rate, credits adding up to the upstream spend; a fourth analyst sends nothing upstream.

import { afterAll, beforeAll, expect, it } from "vitest";
import { geocode } from "../../src/dev/emulator/gazetteer";
import type { Place } from "../../src/places/place";
import { useRedisAndEmulator } from "./hooks";
import {
  addinClient,
  addressesOf,
  addUser,
  peakPerSecond,
  type Replica,
  startReplica,
} from "./support";

const { redis, emulator, upstream } = useRedisAndEmulator();
let replicas: Replica[] = [];

beforeAll(async () => {
  replicas = [await startReplica(redis.url, upstream()), await startReplica(redis.url, upstream())];
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
});

const common = addressesOf("Common", 0, 150);
const listOf = (user: number) => [...common, ...addressesOf(`Own${user}`, 0, 100)];

async function geocodeList(replica: Replica, token: string, inputs: string[]) {
  const client = addinClient(replica.url, token);
  // As the add-in's batcher does: jobs of at most 100 cells here, several in flight at once.
  const chunks = Array.from({ length: Math.ceil(inputs.length / 100) }, (_, index) =>
    inputs.slice(index * 100, index * 100 + 100)
  );
  const results = await Promise.all(
    chunks.map((chunk) => client.run({ kind: "search", params: {}, inputs: chunk }))
  );
  return results.flat();
}

it("shares one rate, one cache and one job per address across users and replicas", async () => {
  const names = ["ann", "ben", "cat"];
  const tokens = await Promise.all(names.map((name) => addUser(redis.url, name)));
  const answers = await Promise.all(
    tokens.map((token, user) => geocodeList(replicas[user % 2], token, listOf(user)))
  );
  answers.forEach((results, user) => {
    listOf(user).forEach((address, index) => {
      const place = results[index] as Place;
      expect(place.lat, address).toBe(geocode(address).lat);
      expect(place.lon, address).toBe(geocode(address).lon);
    });
  });

  const unique = new Set(answers.flatMap((_, user) => listOf(user))).size;
  const submitted = emulator.jobsSubmitted().flat();
  expect(submitted).toHaveLength(unique);
  expect(new Set(submitted).size).toBe(unique);
  expect(emulator.stats().rejected.rate).toBe(0);
  expect(peakPerSecond(emulator.requests)).toBeLessThanOrEqual(5);

  const usage = await Promise.all(
    tokens.map(async (token) => {
      const answer = await fetch(`${replicas[0].url}/v1/gateway/usage?apiKey=${token}`);
      return ((await answer.json()) as { creditsToday: number }).creditsToday;
    })
  );
  expect(usage.reduce((sum, credits) => sum + credits, 0)).toBe(0.5 * unique);
  // Each analyst's own addresses are theirs to pay; the common ones are paid once, by someone.
  for (const credits of usage) expect(credits).toBeGreaterThanOrEqual(0.5 * 100);

  const upstreamBefore = emulator.counts().total;
  const dan = await addUser(redis.url, "dan");
  const again = await geocodeList(replicas[1], dan, listOf(2));
  expect((again[0] as Place).lat).toBe(geocode(listOf(2)[0]).lat);
  expect(emulator.counts().total).toBe(upstreamBefore);
  const danUsage = await fetch(`${replicas[1].url}/v1/gateway/usage?apiKey=${dan}`);
  expect(((await danUsage.json()) as { creditsToday: number }).creditsToday).toBe(0);
});
