// The runtime Geocoder with a team gateway endpoint (geoapify.endpointKind = "gateway"), on the
// fake clock against the gateway double: the budget refusal's words in a cell while cached and
// joined answers still come; the scheduler, stored jobs and credits keyed by the gateway's user, so
// a rotated token keeps them; the gateway's usage as the pane's credits; and Office's SSO token
// sent as a bearer to a gateway only, falling back silently to the token.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { classifyFailure } from "../../src/functions/failures";
import { describeFailure } from "../../src/functions/messages";
import { hashApiKey } from "../../src/geoapify/job-store";
import { officeSsoToken } from "../../src/runtime/sso";
import { SETTING_KEYS, memoryStore } from "../../src/settings/settings";
import { answerFor, FakeGeoapify } from "./support/fake-geoapify";
import { FakeGateway, GATEWAY_ORIGIN, GATEWAY_TOKEN, SSO_TOKEN } from "./support/fake-gateway";
import {
  API_KEY,
  connect,
  drain,
  installTelemetryTarget,
  openRuntime,
  ORIGIN,
  search,
  settleWithoutTime,
  type Runtime,
} from "./support/runtime-harness";

const ADDRESS = "1 Baker St London";
const OTHER = "2 Baker St London";
const fulfilled = (text: string) => ({ status: "fulfilled", value: answerFor(text) });

installTelemetryTarget();
const opened: Runtime[] = [];
let gateway: FakeGateway;

function gatewayStore(token = GATEWAY_TOKEN) {
  return memoryStore({
    [SETTING_KEYS.apiKey]: token,
    [SETTING_KEYS.baseUrl]: GATEWAY_ORIGIN,
    [SETTING_KEYS.endpointKind]: "gateway",
  });
}

async function start(store = gatewayStore(), jobStore?: Runtime["jobStore"]): Promise<Runtime> {
  const runtime = openRuntime(gateway.upstream, {
    store,
    jobStore,
    client: { fetch: gateway.fetch },
  });
  opened.push(runtime);
  return connect(runtime);
}

/** What a cell shows for a call's rejection. */
function cellOf(outcome: PromiseSettledResult<unknown>): { error: string; message: string } {
  expect(outcome.status).toBe("rejected");
  return describeFailure(classifyFailure((outcome as PromiseRejectedResult).reason));
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  for (const runtime of opened.splice(0)) await runtime.geocoder.close();
  delete (globalThis as { OfficeRuntime?: unknown }).OfficeRuntime;
  vi.useRealTimers();
});

describe("a gateway's budget refusal in cells", () => {
  it("settles new lookups with the gateway's budget words; cached and joined ones still answer", async () => {
    gateway = new FakeGateway({ jobMs: () => 5_000 });
    const { geocoder } = await start();
    expect(await drain([geocoder.lookup(search(ADDRESS))])).toEqual([fulfilled(ADDRESS)]);
    const running = geocoder.lookup(search("3 Baker St London"));
    await vi.advanceTimersByTimeAsync(500);

    gateway.budgetSpent = true;
    const [cached, joined, refused] = await drain([
      geocoder.lookup(search(ADDRESS)),
      geocoder.lookup(search("3 Baker St London")),
      geocoder.lookup(search(OTHER)),
    ]);
    expect(cached).toEqual(fulfilled(ADDRESS));
    expect(joined).toEqual(fulfilled("3 Baker St London"));
    expect(await running).toEqual(answerFor("3 Baker St London"));
    expect(cellOf(refused)).toEqual({
      error: "#VALUE!",
      message:
        "Your team gateway's daily budget of 500 credits is spent: ask its administrator, or " +
        "recalculate tomorrow",
    });
    // Refused once, not retried.
    expect(gateway.requests.filter((request) => request.status === 429)).toHaveLength(1);
  });

  it("ignores the pane's own daily budget: the gateway enforces its user's budget itself", async () => {
    gateway = new FakeGateway();
    const store = gatewayStore();
    // One credit: two batch addresses at half a credit each would be all a key could send.
    await store.setItem(SETTING_KEYS.dailyBudgetCredits, "1");
    const { geocoder } = await start(store);
    const addresses = [ADDRESS, OTHER, "3 Baker St London"];
    expect(await drain(addresses.map((text) => geocoder.lookup(search(text))))).toEqual(
      addresses.map(fulfilled)
    );
    expect(gateway.upstream.submits.flatMap((submit) => submit.addresses)).toEqual(addresses);
  });

  it("words a 503 outage that outlasts the job timeout as the service being unavailable", async () => {
    gateway = new FakeGateway();
    const store = gatewayStore();
    await store.setItem(SETTING_KEYS.jobTimeoutMs, "10000");
    const { geocoder } = await start(store);
    gateway.outage(60_000);
    const [outcome] = await drain([geocoder.lookup(search(ADDRESS))]);
    expect(cellOf(outcome)).toMatchObject({
      error: "#N/A",
      message: expect.stringMatching(/unavailable/),
    });
  });
});

describe("keyed by the gateway's user, not the token", () => {
  it("a rotated token keeps the user's running job: the same address attaches, nothing is paid twice", async () => {
    gateway = new FakeGateway({ jobMs: () => 20_000 });
    const store = gatewayStore();
    const { geocoder } = await start(store);
    const first = geocoder.lookup(search(ADDRESS));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gateway.upstream.submits).toHaveLength(1);

    gateway.tokens.clear();
    gateway.tokens.set("gw-token-alice-rotated", "alice");
    await store.setItem(SETTING_KEYS.apiKey, "gw-token-alice-rotated");
    const second = geocoder.lookup(search(ADDRESS));
    expect(await drain([first, second])).toEqual([fulfilled(ADDRESS), fulfilled(ADDRESS)]);
    expect(gateway.upstream.submits).toHaveLength(1);
    // The job goes on being polled with the token saved now.
    const lastPoll = gateway.requests.filter((request) => request.method === "GET").at(-1);
    expect(lastPoll?.url.searchParams.get("apiKey")).toBe("gw-token-alice-rotated");
    expect(lastPoll?.status).toBe(200);
  });

  it("a reload with a rotated token collects the job stored under the user", async () => {
    gateway = new FakeGateway({ jobMs: () => 30_000 });
    const before = await start();
    void before.geocoder.lookup(search(ADDRESS)).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(2_000);
    await vi.waitFor(async () => expect(await before.jobStore.list()).toHaveLength(1));
    await before.geocoder.close();
    const [stored] = await before.jobStore.list();
    const account = `gateway ${GATEWAY_ORIGIN} alice`;
    expect(stored.keyHash).toBe(await settleWithoutTime(hashApiKey(account)));
    expect(stored.keyHash).not.toBe(await settleWithoutTime(hashApiKey(GATEWAY_TOKEN)));

    gateway.tokens.clear();
    gateway.tokens.set("gw-token-alice-rotated", "alice");
    const after = await start(gatewayStore("gw-token-alice-rotated"), before.jobStore);
    await settleWithoutTime(after.geocoder.resumeStoredJobs());
    expect(await drain([after.geocoder.lookup(search(ADDRESS))])).toEqual([fulfilled(ADDRESS)]);
    expect(gateway.upstream.submits).toHaveLength(1);
  });

  it("shows the gateway's usage for its user as today's credits", async () => {
    gateway = new FakeGateway();
    gateway.creditsToday = 42.5;
    const { geocoder } = await start();
    const credits = await settleWithoutTime(geocoder.creditsToday());
    expect(credits).toEqual({
      day: new Date(Date.now()).toISOString().slice(0, 10),
      spent: 42.5,
      budget: 500,
      user: "alice",
    });
    gateway.dailyBudgetCredits = null;
    expect((await settleWithoutTime(geocoder.creditsToday()))?.budget).toBeUndefined();
  });

  it("checks a token through the gateway: 404 is a valid token, 401 a refused one", async () => {
    gateway = new FakeGateway();
    const store = gatewayStore();
    const { geocoder } = await start(store);
    expect(await drain([geocoder.checkKey()])).toEqual([{ status: "fulfilled", value: "valid" }]);
    await store.setItem(SETTING_KEYS.apiKey, "gw-token-unknown");
    expect(await drain([geocoder.checkKey()])).toEqual([
      { status: "fulfilled", value: "rejected" },
    ]);
  });
});

describe("Office SSO", () => {
  function signedIn(getAccessToken: () => Promise<string>): { asked: () => number } {
    let asked = 0;
    Object.assign(globalThis, {
      OfficeRuntime: {
        auth: {
          getAccessToken: () => {
            asked++;
            return getAccessToken();
          },
        },
      },
    });
    return { asked: () => asked };
  }

  it("sends Office's token as a bearer to a gateway, on every request", async () => {
    const office = signedIn(async () => SSO_TOKEN);
    gateway = new FakeGateway();
    const { geocoder } = await start();
    expect(await drain([geocoder.lookup(search(ADDRESS))])).toEqual([fulfilled(ADDRESS)]);
    expect(gateway.requests.length).toBeGreaterThan(2);
    for (const request of gateway.requests) {
      expect(request.authorization).toBe(`Bearer ${SSO_TOKEN}`);
      expect(request.url.searchParams.get("apiKey")).toBe(GATEWAY_TOKEN);
    }
    // Office is asked once for the whole run, not once per request.
    expect(office.asked()).toBe(1);
  });

  it("never sends it to Geoapify or a plain proxy", async () => {
    signedIn(async () => SSO_TOKEN);
    const fake = new FakeGeoapify({ apiKey: API_KEY, origin: ORIGIN });
    const runtime = openRuntime(fake);
    opened.push(runtime);
    await connect(runtime);
    expect(await drain([runtime.geocoder.lookup(search(ADDRESS))])).toEqual([fulfilled(ADDRESS)]);
    expect(await drain([runtime.geocoder.checkKey()])).toEqual([
      { status: "fulfilled", value: "valid" },
    ]);
    expect(fake.requests.length).toBeGreaterThan(2);
    for (const request of fake.requests) expect(request.headers.get("authorization")).toBeNull();
  });

  it("falls back silently to the token when Office gives none", async () => {
    signedIn(async () => Promise.reject(new Error("13001: not signed in")));
    gateway = new FakeGateway();
    const { geocoder } = await start();
    expect(await drain([geocoder.lookup(search(ADDRESS))])).toEqual([fulfilled(ADDRESS)]);
    for (const request of gateway.requests) expect(request.authorization).toBeNull();
  });
});

describe("officeSsoToken", () => {
  it("asks Office silently, reuses the answer for five minutes, and answers undefined on failure", async () => {
    const asked: unknown[] = [];
    let fail = false;
    Object.assign(globalThis, {
      OfficeRuntime: {
        auth: {
          getAccessToken: async (options: unknown) => {
            asked.push(options);
            if (fail) throw new Error("13003: not a work account");
            return SSO_TOKEN;
          },
        },
      },
    });
    let now = 0;
    const token = officeSsoToken(() => now);
    expect(await token()).toBe(SSO_TOKEN);
    now = 4 * 60_000;
    expect(await token()).toBe(SSO_TOKEN);
    expect(asked).toEqual([
      { allowSignInPrompt: false, allowConsentPrompt: false, forMSGraphAccess: false },
    ]);
    fail = true;
    now = 5 * 60_000;
    expect(await token()).toBeUndefined();
    expect(asked).toHaveLength(2);
  });

  it("answers undefined outside Office", async () => {
    expect(await officeSsoToken()()).toBeUndefined();
  });
});
