// The job engine on the fake clock: slow jobs collected in the background, attaching to running
// jobs, aborts, reverse jobs, full Places, the credits gate and learned poll times.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GeoapifyError } from "../../src/geoapify/errors";
import { advance, closeClients, harness, ofType, search, track } from "./support/client-harness";
import { answerFor, reverseAnswerFor } from "./support/fake-geoapify";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

const found = (input: string) => expect.objectContaining(answerFor(input) ?? {});

describe("slow jobs", () => {
  it("settle the caller as still-running at the wait limit and deliver the results later", async () => {
    const { fake, client, events, collected } = harness({
      client: { waitLimitMs: 10_000 },
      fake: { jobMs: () => 300_000 },
    });
    const call = track(client.run(search(["1 Baker St London", "2 Baker St London"])));
    await advance(10_500);
    expect(call.error).toMatchObject({ kind: "still-running" });
    expect(ofType(events, "still-running")).toEqual([
      { type: "still-running", jobId: expect.any(String), size: 2 },
    ]);

    await advance(600_000);
    expect(collected).toEqual([
      {
        job: search(["1 Baker St London", "2 Baker St London"]),
        results: [found("1 Baker St London"), found("2 Baker St London")],
      },
    ]);
    expect(ofType(events, "job-done")).toMatchObject([{ background: true, size: 2 }]);
    expect(fake.submits).toHaveLength(1);
    // Polled at the caller's pace while it waited, then at a falling rate.
    const background = fake.polls.filter((poll) => poll.at > fake.submits[0].at + 10_000);
    const gaps = background.slice(1).map((poll, index) => poll.at - background[index].at);
    expect(gaps).toEqual([...gaps].sort((a, b) => a - b));
    expect(gaps.at(-1)).toBeGreaterThan(60_000);
    expect(background.length).toBeLessThanOrEqual(12);
    expect(client.state.jobsInFlight).toBe(0);
  });

  it("count the wait from acceptance, not from time spent waiting for the rate", async () => {
    const { fake, client } = harness({
      client: { waitLimitMs: 5_000 },
      fake: { jobMs: () => 4_000 },
    });
    fake.outage(20_000);
    const call = track(client.run(search(["1 Baker St London"])));
    await advance(60_000);
    expect(call.value).toEqual([found("1 Baker St London")]);
  });

  it("are collected when the caller aborts after the submit", async () => {
    const { fake, client, collected } = harness({ fake: { jobMs: () => 5_000 } });
    const controller = new AbortController();
    const call = track(client.run(search(["1 Baker St London"]), { signal: controller.signal }));
    await advance(1_000);
    controller.abort();
    await advance(0);
    expect(call.error).toMatchObject({ kind: "aborted" });
    await advance(30_000);
    expect(collected.map((delivery) => delivery.results)).toEqual([[found("1 Baker St London")]]);
    expect(fake.submits).toHaveLength(1);
  });

  it("are never sent when the caller aborts before the submit left", async () => {
    const { fake, client } = harness({ client: { ratePerSecond: 1 } });
    track(client.run(search(["1 Baker St London"])));
    const controller = new AbortController();
    const second = track(client.run(search(["2 Baker St London"]), { signal: controller.signal }));
    await advance(100);
    controller.abort();
    await advance(10_000);
    expect(second.error).toMatchObject({ kind: "aborted" });
    expect(fake.submits.map((request) => request.addresses)).toEqual([["1 Baker St London"]]);
  });
});

describe("attaching", () => {
  it("answers inputs of a running job from that job, submitting only the rest", async () => {
    const { fake, client } = harness({ fake: { jobMs: () => 3_000 } });
    const first = track(client.run(search(["1 Baker St London", "2 Baker St London"])));
    await advance(500);
    const second = track(client.run(search(["2 BAKER ST  London", "3 Baker St London"])));
    await advance(20_000);

    expect(first.value).toEqual([found("1 Baker St London"), found("2 Baker St London")]);
    expect(second.value).toEqual([found("2 Baker St London"), found("3 Baker St London")]);
    expect(fake.submits.map((request) => request.addresses)).toEqual([
      ["1 Baker St London", "2 Baker St London"],
      ["3 Baker St London"],
    ]);
  });

  it("submits nothing when every input is already in a job, and never across options", async () => {
    const { fake, client } = harness({ fake: { jobMs: () => 3_000 } });
    track(client.run(search(["1 Baker St London"])));
    await advance(500);
    const same = track(client.run(search(["1 Baker St London"])));
    const otherLanguage = track(client.run(search(["1 Baker St London"], { lang: "de" })));
    await advance(20_000);
    expect(same.value).toEqual([found("1 Baker St London")]);
    expect(otherLanguage.value).toEqual([found("1 Baker St London")]);
    expect(fake.submits).toHaveLength(2);
    expect(fake.submits[1].url.searchParams.get("lang")).toBe("de");
    // Options go with the submit only; polls carry the id and the key.
    expect([...fake.polls[0].url.searchParams.keys()].sort()).toEqual(["apiKey", "id"]);
  });
});

describe("onSent", () => {
  it("fires once the call's job is accepted, and at once when everything attached", async () => {
    const { fake, client } = harness({
      client: { ratePerSecond: 1 },
      fake: { jobMs: () => 3_000 },
    });
    const sent: string[] = [];
    track(client.run(search(["1 Baker St London"]), { onSent: () => sent.push("first") }));
    track(client.run(search(["2 Baker St London"]), { onSent: () => sent.push("second") }));
    await advance(0);
    // Both submits wait for the rate; neither was sent yet.
    expect(sent).toEqual([]);
    await advance(500);
    expect(fake.submits).toHaveLength(1);
    expect(sent).toEqual(["first"]);
    track(client.run(search(["1 Baker St London"]), { onSent: () => sent.push("attached") }));
    await advance(0);
    expect(sent).toEqual(["first", "attached"]);
    await advance(2_000);
    expect(fake.submits).toHaveLength(2);
    expect(sent).toEqual(["first", "attached", "second"]);
  });
});

describe("reverse jobs", () => {
  it("send [lon, lat] and pair results by position, as full Places", async () => {
    const { fake, client } = harness();
    const inputs = ["51.5237,-0.1585", "48.8606,2.3376"];
    const call = track(client.run({ kind: "reverse", params: { lang: "en" }, inputs }));
    await advance(5_000);

    expect(fake.submits[0].url.pathname).toBe("/v1/batch/geocode/reverse");
    expect(JSON.parse(fake.submits[0].body ?? "")).toEqual([
      [-0.1585, 51.5237],
      [2.3376, 48.8606],
    ]);
    expect(call.value).toEqual([
      {
        lat: 51.5237,
        lon: -0.1585,
        formatted: "Near 51.5237,-0.1585",
        name: "Point 51.5237,-0.1585",
        category: "building",
        distance: 12.5,
        result_type: "building",
        attribution: "© OpenStreetMap contributors",
      },
      expect.objectContaining({ lat: reverseAnswerFor(inputs[1]).lat, lon: 2.3376 }),
    ]);
  });

  it("fail as malformed when the results are not as many as the inputs, after one more submit", async () => {
    let submits = 0;
    const fetch: typeof globalThis.fetch = async () => {
      submits++;
      return new Response(JSON.stringify([reverseAnswerFor("1,2")]), { status: 200 });
    };
    const { client } = harness({ client: { fetch } });
    const call = track(client.run({ kind: "reverse", params: {}, inputs: ["1,2", "3,4"] }));
    await advance(10_000);
    expect(call.error).toMatchObject({ kind: "malformed" });
    expect(submits).toBe(2);
  });
});

describe("parsing", () => {
  it("reads every field of a Place from a forward result", async () => {
    const result = {
      query: { text: "10 Downing St" },
      lat: 51.5034,
      lon: -0.1276,
      formatted: "10 Downing Street, London SW1A 2AA, United Kingdom",
      address_line1: "10 Downing Street",
      address_line2: "London SW1A 2AA, United Kingdom",
      housenumber: "10",
      street: "Downing Street",
      suburb: "Westminster",
      district: "St. James's",
      postcode: "SW1A 2AA",
      city: "London",
      county: "Greater London",
      state: "England",
      state_code: "ENG",
      country: "United Kingdom",
      country_code: "gb",
      result_type: "building",
      plus_code: "9C3XGV3C+9X",
      place_id: "51a1",
      rank: {
        confidence: 0.95,
        confidence_city_level: 1,
        confidence_street_level: 0.9,
        match_type: "full_match",
      },
      timezone: { name: "Europe/London", offset_STD: "+00:00" },
      datasource: { sourcename: "openstreetmap", attribution: "© OpenStreetMap contributors" },
    };
    const fetch: typeof globalThis.fetch = async () =>
      new Response(JSON.stringify([result]), { status: 200 });
    const { client } = harness({ client: { fetch } });
    const [place] = await client.run(search(["10 Downing St"]));
    const { query: _query, rank, timezone: _timezone, datasource: _datasource, ...top } = result;
    expect(place).toEqual({
      ...top,
      ...rank,
      timezone: "Europe/London",
      attribution: "© OpenStreetMap contributors",
    });
  });
});

describe("the credits gate", () => {
  it("sends the first N new inputs admit() allows and settles the rest as budget", async () => {
    const asked: Array<[number, number]> = [];
    const { fake, client, events } = harness({
      client: {
        admit: (inputs, creditsPerInput) => {
          asked.push([inputs, creditsPerInput]);
          return 2;
        },
      },
    });
    const call = track(
      client.run(
        search(["1 Baker St London", "2 Baker St London", "3 Baker St London"], { priority: "0.5" })
      )
    );
    await advance(5_000);
    expect(asked).toEqual([[3, 0.25]]);
    expect(fake.submits[0].addresses).toEqual(["1 Baker St London", "2 Baker St London"]);
    const [first, second, third] = call.value ?? [];
    expect([first, second]).toEqual([found("1 Baker St London"), found("2 Baker St London")]);
    expect(third).toBeInstanceOf(GeoapifyError);
    expect((third as GeoapifyError).kind).toBe("budget");
    expect(ofType(events, "submitted")).toMatchObject([{ size: 2, credits: 0.5 }]);
  });
});

describe("poll timing", () => {
  it("learns the job time: a second similar job is ready at its first poll", async () => {
    const { fake, client } = harness({ fake: { jobMs: (size) => 2_000 + 10 * size } });
    const first = Array.from({ length: 100 }, (_, i) => `${i + 1} Baker St London`);
    const second = Array.from({ length: 100 }, (_, i) => `${i + 1} Rue de Rivoli Paris`);
    await advance(0);
    const firstCall = track(client.run(search(first)));
    await advance(30_000);
    expect(firstCall.value).toHaveLength(100);
    const pollsOfFirst = fake.polls.length;
    expect(pollsOfFirst).toBeGreaterThan(1);

    const secondCall = track(client.run(search(second)));
    await advance(30_000);
    expect(secondCall.value).toHaveLength(100);
    expect(fake.polls.length - pollsOfFirst).toBe(1);
  });

  const thousand = (street: string) => Array.from({ length: 1000 }, (_, i) => `${i + 1} ${street}`);
  /** How late each job's first poll came after the job was ready, and the 202s it got. */
  const lateness = (fake: ReturnType<typeof harness>["fake"], jobMs: number) =>
    fake.submits.map((submit, job) => {
      const id = (job + 1).toString(16).padStart(32, "0");
      const polls = fake.polls.filter((poll) => poll.url.searchParams.get("id") === id);
      return { lateMs: polls[0].at - submit.at - jobMs, pending: polls.length - 1 };
    });

  it("collects a first 1,000-input job within a request turn of ready when the prior is right", async () => {
    const { fake, client } = harness({ fake: { jobMs: (size) => 300 + 0.3 * size } });
    const call = track(client.run(search(thousand("Baker St London"))));
    await advance(10_000);
    expect(call.value).toHaveLength(1000);
    // The early turns (at most two, the rate being idle) found it pending; the poll at its time
    // then waits at most one request turn (220 ms at 5/s) after the second of them.
    expect(fake.polls.map((poll) => poll.status)).toEqual([202, 202, 200]);
    expect(fake.polls[2].at - fake.submits[0].at - 600).toBeLessThan(250);
  });

  it("converges within a few jobs on a Geoapify faster than predicted", async () => {
    const { fake, client } = harness({ fake: { jobMs: () => 200 } });
    for (let job = 0; job < 8; job++) {
      const call = track(client.run(search(thousand(`Street ${job}`))));
      await advance(10_000);
      expect(call.value).toHaveLength(1000);
    }
    const jobs = lateness(fake, 200);
    // From the fourth job on, polled once, as soon as the rate allows (220 ms after the submit).
    expect(jobs.slice(3)).toEqual(Array(5).fill({ lateMs: 20, pending: 0 }));
    expect(jobs.reduce((sum, job) => sum + job.pending, 0)).toBeLessThanOrEqual(1);
  });

  it("re-times a job not yet polled when another one finishes", async () => {
    const { fake, client } = harness({
      client: { ratePerSecond: 50 },
      fake: { jobMs: () => 200 },
    });
    const first = track(client.run(search(thousand("Baker St London"))));
    await advance(300);
    const second = track(client.run(search(thousand("Rue de Rivoli Paris"))));
    await advance(10_000);
    expect(first.value).toHaveLength(1000);
    expect(second.value).toHaveLength(1000);
    // Predicted 600 ms when accepted; polled at what the first job taught (0.7 × 600 ms).
    const [, { lateMs }] = lateness(fake, 200);
    expect(lateMs + 200).toBeLessThan(450);
  });

  it("accepts results straight from the submit", async () => {
    const { fake, client, events } = harness({
      fake: { script: [{ behaviour: "immediate", latencyMs: 1, jobMs: 0, variant: 0 }] },
    });
    const call = track(client.run(search(["1 Baker St London", "Nowhere Lane"])));
    await advance(100);
    expect(call.value).toEqual([found("1 Baker St London"), null]);
    expect(fake.requests).toHaveLength(1);
    expect(ofType(events, "job-done")).toMatchObject([{ jobId: undefined, polls: 0, requests: 1 }]);
  });
});
