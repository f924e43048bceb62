// When a job is polled, by the plan's rate: at 5 requests/s a poll takes a fifth of a second of
// the rate, so a job is polled at its predicted time and then with a 1.5× back-off; at a high
// rate a poll costs nearly nothing, so a job is polled a little before its predicted time and
// then in short steps, and a finished job waits little for the poll that finds it.

import { describe, expect, it } from "vitest";
import { FIRST_POLL_PRIOR, JobTiming } from "../../src/geoapify/poll-timing";

const prior = (size: number) => FIRST_POLL_PRIOR.fixedMs + FIRST_POLL_PRIOR.perInputMs * size;

describe("poll timing by rate", () => {
  it("polls at the predicted time and backs off by half the age at the free plan's rate", () => {
    const timing = new JobTiming(5);
    expect(timing.firstPollMs(1_000)).toBe(prior(1_000));
    expect(timing.nextGapMs(100, 1_000, false)).toBe(250);
    expect(timing.nextGapMs(4_000, 1_000, false)).toBe(2_000);
  });

  it("polls before the predicted time and in short steps at a high rate", () => {
    const timing = new JobTiming(1_000);
    expect(timing.firstPollMs(1_000)).toBeLessThan(prior(1_000));
    expect(timing.nextGapMs(500, 1_000, false)).toBeLessThan(50);
    expect(timing.nextGapMs(4_000, 1_000, false)).toBe(200);
  });

  it("keeps the background pace and the per-size cap whatever the rate", () => {
    for (const rate of [5, 1_000]) {
      const timing = new JobTiming(rate);
      expect(timing.nextGapMs(10 * 60 * 60_000, 1_000, true)).toBe(15 * 60_000);
      expect(timing.nextGapMs(10 * 60 * 60_000, 1_000, false)).toBe(60_000);
    }
  });
});
