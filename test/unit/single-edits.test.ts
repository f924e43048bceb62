// Instant single edits (opt-in): when a batch holds a few new inputs once its window closes, they
// go as single lookups through the same dispatch path as a job: the same scheduler, credits gate
// (1 credit each), delivery into the cache and events. More than the limit go as a batch job;
// with the setting off nothing changes. On the fake clock, with the in-memory fake.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoryStore, Settings, SETTING_KEYS } from "../../src/settings/settings";
import { advance, closeClients, harness, ofType, search, track } from "./support/client-harness";
import { answerFor, type FakeGeoapify } from "./support/fake-geoapify";
import {
  connect,
  drain,
  fakeGeoapify,
  installTelemetryTarget,
  openRuntime,
  recordTelemetry,
  search as lookup,
  type Runtime,
} from "./support/runtime-harness";

const found = (input: string) => expect.objectContaining(answerFor(input) ?? {});
const ADDRESSES = ["1 Baker St London", "2 Baker St London", "3 Baker St London", "Nowhere Ln"];

installTelemetryTarget();
beforeEach(() => {
  vi.useFakeTimers();
});

describe("the client's dispatch path", () => {
  afterEach(() => {
    closeClients();
    vi.useRealTimers();
  });

  it("sends up to singlesUpTo new inputs as single lookups at 1 credit each, delivered as a job's", async () => {
    const admitted: Array<[number, number]> = [];
    const { fake, client, events, collected } = harness({
      client: { admit: (inputs, credits) => (admitted.push([inputs, credits]), inputs) },
    });
    const inputs = [ADDRESSES[0], ADDRESSES[3], ADDRESSES[0]];
    const call = track(client.run(search(inputs), { singlesUpTo: 3 }));
    await advance(5_000);
    expect(call.value).toEqual([found(ADDRESSES[0]), null, found(ADDRESSES[0])]);
    expect(fake.singles.map((request) => request.url.searchParams.get("text"))).toEqual([
      ADDRESSES[0],
      ADDRESSES[3],
    ]);
    expect(fake.submits).toHaveLength(0);
    expect(admitted).toEqual([[2, 1]]);
    expect(ofType(events, "submitted")).toEqual([
      { type: "submitted", kind: "search", size: 2, credits: 2 },
    ]);
    expect(collected).toEqual([
      { job: search([ADDRESSES[0], ADDRESSES[3]]), results: [found(ADDRESSES[0]), null] },
    ]);
  });

  it("sends more new inputs than singlesUpTo as one batch job", async () => {
    const { fake, client } = harness();
    const call = track(client.run(search(ADDRESSES), { singlesUpTo: 3 }));
    await advance(5_000);
    expect(call.value).toEqual([...ADDRESSES.slice(0, 3).map(found), null]);
    expect(fake.singles).toHaveLength(0);
    expect(fake.submits).toHaveLength(1);
  });

  it("fails the call when every single lookup fails, as a job's whole-call failure", async () => {
    const { client } = harness({ client: { apiKey: "wrong-key" } });
    const call = track(client.run(search([ADDRESSES[0]]), { singlesUpTo: 3 }));
    await advance(5_000);
    expect(call.error).toMatchObject({ kind: "auth" });
  });
});

describe("the geocoder's setting", () => {
  let fake: FakeGeoapify;
  const opened: Runtime[] = [];
  afterEach(async () => {
    for (const runtime of opened.splice(0)) await runtime.geocoder.close();
    vi.useRealTimers();
  });

  async function start(singleEdits?: string): Promise<Runtime> {
    fake = fakeGeoapify();
    const runtime = openRuntime(fake, { settings: singleEdits ? { singleEdits } : {} });
    opened.push(runtime);
    return connect(runtime);
  }

  it("with single edits on, one new address settles after one single lookup, at 1 credit, and is cached", async () => {
    const runtime = await start("true");
    const telemetry = recordTelemetry();
    const [first] = await drain([runtime.geocoder.lookup(lookup(ADDRESSES[0]))]);
    expect(first).toEqual({ status: "fulfilled", value: found(ADDRESSES[0]) });
    expect(fake.requests.map((request) => request.url.pathname)).toEqual(["/v1/geocode/search"]);
    expect((await runtime.geocoder.creditsToday())?.spent).toBe(1);

    await drain([runtime.geocoder.lookup(lookup(ADDRESSES[0]))]);
    expect(fake.requests).toHaveLength(1);
    telemetry.stop();
    expect(telemetry.events.filter((event) => event.type === "credits")).not.toEqual([]);
  });

  it("with single edits off (the default), one new address goes in a batch job at 0.5 credit", async () => {
    const runtime = await start();
    await drain([runtime.geocoder.lookup(lookup(ADDRESSES[0]))]);
    expect(fake.singles).toHaveLength(0);
    expect(fake.submits).toHaveLength(1);
    expect((await runtime.geocoder.creditsToday())?.spent).toBe(0.5);
  });

  it('is on only when saved as "true", and switching it off removes it', async () => {
    const store = memoryStore({ [SETTING_KEYS.singleEdits]: "yes" });
    const settings = new Settings({ store });
    expect(await settings.singleEdits()).toBe(false);
    await settings.setSingleEdits(true);
    expect(await store.getItem("geobatch.singleEdits")).toBe("true");
    expect(await settings.singleEdits()).toBe(true);
    await settings.setSingleEdits(false);
    expect(await store.getItem("geobatch.singleEdits")).toBeNull();
  });
});
