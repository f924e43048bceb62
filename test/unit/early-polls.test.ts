// Early polls on the fake clock: a fresh client polls a job before its predicted time only on
// turns of the rate no other request waits for, at most MAX_EARLY_POLLS per job, and no longer
// once a job has been timed between a pending poll and the one that found it done.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_EARLY_POLLS } from "../../src/geoapify/poll-timing";
import { advance, closeClients, harness, search, track } from "./support/client-harness";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

const thousand = (street: string) => Array.from({ length: 1000 }, (_, i) => `${i + 1} ${street}`);
const jobId = (job: number) => (job + 1).toString(16).padStart(32, "0");

describe("early polls", () => {
  it("find a job faster than the prior before its predicted time, while the rate is idle", async () => {
    // The prior predicts 600 ms for 1,000 inputs; this Geoapify takes 450 ms.
    const { fake, client } = harness({ fake: { jobMs: () => 450 } });
    const call = track(client.run(search(thousand("Baker St London"))));
    await advance(10_000);
    expect(call.value).toHaveLength(1000);
    expect(fake.polls.map((poll) => poll.status)).toEqual([202, 200]);
    expect(fake.polls[1].at - fake.submits[0].at).toBeLessThan(600);
  });

  it("take at most MAX_EARLY_POLLS turns of a slow job before its predicted time", async () => {
    const { fake, client } = harness({ fake: { jobMs: () => 5_000 } });
    const call = track(client.run(search(thousand("Baker St London"))));
    await advance(30_000);
    expect(call.value).toHaveLength(1000);
    const beforeDue = fake.polls.filter((poll) => poll.at - fake.submits[0].at < 600);
    expect(beforeDue).toHaveLength(MAX_EARLY_POLLS);
  });

  it("are given up while submits wait for the rate: every submit first, then one poll per job", async () => {
    const { fake, client } = harness({ fake: { jobMs: () => 500 } });
    const calls = Array.from({ length: 10 }, (_, job) =>
      track(client.run(search(thousand(`Street ${job}`))))
    );
    await advance(60_000);
    expect(calls.map((call) => call.value?.length)).toEqual(Array(10).fill(1000));
    const kinds = fake.requests.map((request) => (request.method === "POST" ? "submit" : "poll"));
    expect(kinds).toEqual([...Array(10).fill("submit"), ...Array(10).fill("poll")]);
  });

  it("end once a job is timed: the next job is polled once, at the learned time", async () => {
    const { fake, client } = harness({ fake: { jobMs: () => 500 } });
    const first = track(client.run(search(thousand("Baker St London"))));
    await advance(10_000);
    expect(first.value).toHaveLength(1000);
    const pollsOfFirst = fake.polls.length;
    expect(fake.polls.at(-1)?.status).toBe(200);
    expect(fake.polls.slice(0, -1).every((poll) => poll.status === 202)).toBe(true);

    const second = track(client.run(search(thousand("Rue de Rivoli Paris"))));
    await advance(10_000);
    expect(second.value).toHaveLength(1000);
    const pollsOfSecond = fake.polls.filter((poll) => poll.url.searchParams.get("id") === jobId(1));
    expect(fake.polls).toHaveLength(pollsOfFirst + 1);
    expect(pollsOfSecond.map((poll) => poll.status)).toEqual([200]);
  });
});
