// The team case (issue 17): 3 analysts × N addresses (half common to all three, half each one's
// own), the emulator enforcing Geoapify's 5 requests/s. Once through the team gateway (two
// replicas, one Redis), once today's way: three separate add-in runtimes straight to Geoapify on
// one key, with no channel between them (three machines). Each analyst is the shipped runtime
// (Geocoder) with its defaults; cells are invoked as Excel invokes them.

import { spawnSync } from "node:child_process";
import { GeocodeCache } from "../../src/cache/geocode-cache";
import { GeoapifyEmulator, type RecordedRequest } from "../../src/dev/emulator/emulator";
import { geocode } from "../../src/dev/emulator/gazetteer";
import { memoryJobStore } from "../../src/geoapify/client";
import { Geocoder } from "../../src/runtime/geocoder";
import { memoryStore, Settings, SETTING_KEYS } from "../../src/settings/settings";
import { addUser, type Replica, startReplica, TestRedis } from "../gateway/support";
import { invokeLikeExcel } from "./invoker";
import { CREDITS_PER_BATCH_ADDRESS, type LatencyModel, rateFloorFor } from "./model";
import { BENCH_API_KEY } from "./strategies/cell";

export const TEAM_USERS = 3;
const RATE = 5;
const DEADLINE_MS = 300_000;

export interface TeamRun {
  upstreamRequests: number;
  peakPerSecond: number;
  upstream429s: number;
  /** Credits Geoapify charged: 0.5 per address it accepted in a job. */
  upstreamCredits: number;
  /** Credits the gateway charged its users (gateway run only). */
  userCredits?: number;
  wallMs: number;
  wrongCells: number;
}

export interface TeamCaseResult {
  addressesPerUser: number;
  unique: number;
  floorMs: number;
  gateway: TeamRun | { skipped: string };
  direct: TeamRun;
}

export function teamLists(perUser: number): string[][] {
  const shared = Array.from({ length: perUser / 2 }, (_, i) => `${i + 1} Team Street, Springfield`);
  return Array.from({ length: TEAM_USERS }, (_, user) => [
    ...shared,
    ...Array.from({ length: perUser / 2 }, (_, i) => `${i + 1} Analyst${user} Road, Springfield`),
  ]);
}

function analyst(baseUrl: string, apiKey: string): Geocoder {
  const settings = new Settings({
    store: memoryStore({ [SETTING_KEYS.apiKey]: apiKey, [SETTING_KEYS.baseUrl]: baseUrl }),
  });
  return new Geocoder({
    settings,
    cache: GeocodeCache.open({ indexedDB: null }),
    jobStore: Promise.resolve(memoryJobStore()),
    // Three machines: no BroadcastChannel between the runtimes.
    client: { rateChannel: () => undefined },
  });
}

async function runTeam(
  emulator: GeoapifyEmulator,
  endpoints: ReadonlyArray<{ baseUrl: string; apiKey: string }>,
  lists: readonly string[][]
): Promise<Omit<TeamRun, "userCredits">> {
  emulator.reset();
  const geocoders = endpoints.map(({ baseUrl, apiKey }) => analyst(baseUrl, apiKey));
  const started = performance.now();
  const runs = await Promise.all(
    lists.map((list, user) =>
      invokeLikeExcel(
        list,
        (input) => geocoders[user].lookup({ kind: "search", options: {}, input }),
        DEADLINE_MS
      )
    )
  );
  const wallMs = performance.now() - started;
  await Promise.all(geocoders.map((geocoder) => geocoder.close()));
  let wrongCells = 0;
  runs.forEach((run, user) =>
    lists[user].forEach((address, index) => {
      const place = run.results[index] as { lat?: number } | null;
      if (run.failed[index] || place?.lat !== geocode(address).lat) wrongCells++;
    })
  );
  const requests = emulator.requests.filter((request) => request.method !== "OPTIONS");
  return {
    upstreamRequests: requests.length,
    peakPerSecond: peakPerSecond(requests),
    upstream429s: requests.filter((request) => request.status === 429).length,
    upstreamCredits: emulator.counts().addressesSubmitted * CREDITS_PER_BATCH_ADDRESS,
    wallMs,
    wrongCells,
  };
}

function peakPerSecond(requests: readonly RecordedRequest[]): number {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < requests.length; end++) {
    while (requests[end].at - requests[start].at >= 1_000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

export async function runTeamCase(
  model: LatencyModel,
  perUser: number,
  progress: (line: string) => void
): Promise<TeamCaseResult> {
  const lists = teamLists(perUser);
  const unique = new Set(lists.flat()).size;
  const emulator = new GeoapifyEmulator({ ...model, rateLimitPerSecond: RATE });
  const upstream = await emulator.listen(0, "127.0.0.1");
  try {
    progress(`team: ${TEAM_USERS} × ${perUser} addresses, straight to Geoapify on one key`);
    const direct = await runTeam(
      emulator,
      lists.map(() => ({ baseUrl: upstream, apiKey: BENCH_API_KEY })),
      lists
    );
    let gateway: TeamRun | { skipped: string };
    if (spawnSync("redis-server", ["--version"]).error) {
      gateway = { skipped: "redis-server is not installed" };
    } else {
      progress(`team: ${TEAM_USERS} × ${perUser} addresses through the gateway (2 replicas)`);
      gateway = await throughGateway(emulator, upstream, lists);
    }
    return {
      addressesPerUser: perUser,
      unique,
      floorMs: rateFloorFor(model, unique, RATE).wallMs,
      gateway,
      direct,
    };
  } finally {
    await emulator.close();
  }
}

async function throughGateway(
  emulator: GeoapifyEmulator,
  upstream: string,
  lists: readonly string[][]
): Promise<TeamRun> {
  const redis = new TestRedis();
  await redis.start();
  const replicas: Replica[] = [];
  try {
    replicas.push(await startReplica(redis.url, upstream), await startReplica(redis.url, upstream));
    const tokens = await Promise.all(lists.map((_, user) => addUser(redis.url, `analyst${user}`)));
    const endpoints = tokens.map((apiKey, user) => ({
      baseUrl: replicas[user % replicas.length].url,
      apiKey,
    }));
    const run = await runTeam(emulator, endpoints, lists);
    let userCredits = 0;
    for (const token of tokens) {
      const usage = await fetch(`${replicas[0].url}/v1/gateway/usage?apiKey=${token}`);
      userCredits += ((await usage.json()) as { creditsToday: number }).creditsToday;
    }
    return { ...run, userCredits };
  } finally {
    await Promise.all(replicas.map((replica) => replica.close()));
    await redis.stop();
  }
}
