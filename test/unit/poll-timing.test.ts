// When a job is polled, by the plan's rate: at 5 requests/s a poll takes a fifth of a second of
// the rate, so a late job is polled again with a 1.5× back-off; at a high rate a poll costs
// nearly nothing, so a late job is polled again in short steps. Until a job has been timed between
// two polls, a job may be polled early (the job engine takes those turns only when the rate is
// idle), never closer than a request turn apart.

import { describe, expect, it } from "vitest";
import { FIRST_POLL_PRIOR, JobTiming } from "../../src/geoapify/poll-timing";

const prior = (size: number) => FIRST_POLL_PRIOR.fixedMs + FIRST_POLL_PRIOR.perInputMs * size;

describe("poll timing by rate", () => {
  it("backs off by half the age at the free plan's rate", () => {
    const timing = new JobTiming(5);
    expect(timing.nextGapMs(100, 1_000, false)).toBe(250);
    expect(timing.nextGapMs(4_000, 1_000, false)).toBe(2_000);
  });

  it("polls a late job again in short steps at a high rate", () => {
    const timing = new JobTiming(1_000);
    expect(timing.nextGapMs(500, 1_000, false)).toBeLessThan(50);
    expect(timing.nextGapMs(4_000, 1_000, false)).toBe(200);
  });

  it("offers early turns from half the prediction, a quarter apart, at least a request turn", () => {
    const free = new JobTiming(5);
    expect(free.planPoll(0, 1_000, 0)).toEqual({ at: prior(1_000) / 2, early: true });
    expect(free.planPoll(0, 1_000, 1, 300)).toEqual({ at: 500, early: true });
    expect(free.planPoll(0, 1_000, 2, 500)).toEqual({ at: prior(1_000), early: false });
    const paid = new JobTiming(1_000);
    // At a high rate every job is polled a little before its time, no early turns needed.
    expect(paid.planPoll(0, 1_000, 0)).toEqual({ at: 0.8 * prior(1_000), early: false });
  });

  it("at a high rate, polls at the predicted time once a job is timed: one poll per job", () => {
    const paid = new JobTiming(1_000);
    paid.observe(1_000, undefined, 480);
    // Found done at its first poll: the time is still unknown, so still a little early.
    expect(paid.planPoll(0, 1_000, 0).at).toBe(Math.round(0.8 * paid.predictMs(1_000)));
    paid.observe(1_000, 480, 520);
    expect(paid.timed).toBe(true);
    expect(paid.planPoll(0, 1_000, 0)).toEqual({ at: paid.predictMs(1_000), early: false });
    expect(paid.predictMs(1_000)).toBe(520);
  });

  it("ends early turns once a job is timed between a pending poll and the one finding it done", () => {
    const timing = new JobTiming(5);
    timing.observe(1_000, undefined, 700);
    expect(timing.timed).toBe(false);
    expect(timing.planPoll(0, 1_000, 0).early).toBe(true);
    timing.observe(1_000, 400, 550);
    expect(timing.timed).toBe(true);
    expect(timing.planPoll(0, 1_000, 0)).toEqual({ at: timing.predictMs(1_000), early: false });
  });

  it("keeps the background pace and the per-size cap whatever the rate", () => {
    for (const rate of [5, 1_000]) {
      const timing = new JobTiming(rate);
      expect(timing.nextGapMs(10 * 60 * 60_000, 1_000, true)).toBe(15 * 60_000);
      expect(timing.nextGapMs(10 * 60 * 60_000, 1_000, false)).toBe(60_000);
    }
  });
});
