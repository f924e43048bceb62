// When to poll a batch job: at the time it is predicted to be ready, learned from the jobs so far.
//
// A job's time is modelled as a fixed cost plus a time per input. Each finished job tells when it
// was ready: after its last pending poll and no later than the poll that got the results. The
// model takes that upper bound when it was late (polling early costs a poll and a back-off, which
// is dearer than a little lateness). A job ready at its first poll says only that the prediction
// was too long by an unknown amount, so the model moves below that poll's age by a step: 30% at
// first, so that it reaches a faster Geoapify within a few jobs at the cost of one 202 poll when
// it overshoots; 5% after a late job, since the time is then known to be near, doubling with every
// job ready at its first poll (5, 10, 20, 30%), so that it still follows Geoapify getting faster
// without overshooting every other job. The error is split between the two terms in proportion to
// their share of the prediction: small jobs teach the fixed cost, big jobs the time per input, and
// a job of the same size is predicted exactly. Jobs not yet polled are re-timed when the model changes
// (see Job), so the jobs of one recalculation learn from each other.
//
// A job that is late is polled again after a share of its age, at most every
// clamp(size × 60 ms, 1 s, 60 s) while a caller waits (Geoapify asks that large jobs are polled
// at most once a minute), and at most every 15 minutes once nobody waits. The share and the
// shortest gap follow the plan's rate, since every poll takes a turn of it: at 5 requests/s half
// the age and 250 ms (1.5× back-off: each extra poll costs a fifth of a second of the rate);
// with a high rate (a paid plan) a poll costs nearly nothing, so a late job is polled again
// after 5% of its age, at least 3 request turns apart, and a finished job waits little for it.
//
// Early polls. A poll costs no credits, only a turn of the rate, and a turn nobody else waits for
// costs nothing. So until the model has timed a job between two of its polls (a pending one and
// the one that found it done), a job may be polled before its predicted time: from half of it, then
// a quarter of it (at least one request turn) later, at most MAX_EARLY_POLLS turns per job, each
// taken only when no other request waits for the rate (see Job); a turn that finds requests
// waiting is given up, and the job falls back to its predicted time. Once a job has been timed
// that way the prediction is an upper bound close to the real time, and polls before it would
// only add requests per job: a fresh session's first jobs are found early, later ones at a
// learned time, and the number of polls stays about one per job whatever the sheet's size.
// From 50 requests/s on (a paid plan) a poll's turn costs nearly nothing and the rate is never
// the bottleneck: until a job has been timed, every job is polled first at 80% of its predicted
// time, then in short steps (early turns measured slower there: jobs sent together gave up turns
// for each other's polls); once timed, at its predicted time, which late jobs keep an upper bound
// within a short step of the real one, so that a large sheet costs about one poll per job.

/**
 * Before any job has finished: 300 ms + 0.3 ms per input, 600 ms for a full job of 1,000.
 * Geoapify says jobs of a few addresses finish well under a second, and a prior that is too short
 * costs one 202 poll and is corrected by the first late job, while one that is too long makes
 * every job of the first recalculation wait for nothing (the old 500 + 1 ms per input polled a
 * 1,000-input job first at 1.5 s).
 */
/** The prior: when a fresh client first polls a job, before it has learned anything. */
export const FIRST_POLL_PRIOR = { fixedMs: 300, perInputMs: 0.3 } as const;
const DEFAULT_FIXED_MS: number = FIRST_POLL_PRIOR.fixedMs;
const DEFAULT_PER_INPUT_MS: number = FIRST_POLL_PRIOR.perInputMs;
const FIXED_BOUNDS = [50, 60_000] as const;
const PER_INPUT_BOUNDS = [0, 1_000] as const;
/** The longest prediction trusted: beyond it the job is polled by back-off anyway. */
const MAX_PREDICTION_MS = 30 * 60_000;
/** How far below its first poll's age the model moves after a job that was ready then. */
const STEP_DOWN_BOUNDS = [0.05, 0.3] as const;
/** At 5 requests/s (the free plan): half the age, at least 250 ms apart. */
const LATE_GROWTH_BOUNDS = [0.05, 0.5] as const;
const LATE_GROWTH_AT_ONE_PER_SECOND = 2.5;
const MIN_GAP_BOUNDS = [20, 250] as const;
const MIN_GAP_REQUEST_TURNS = 3;
/** Early turns per job, and where they fall as shares of the predicted time. */
export const MAX_EARLY_POLLS = 2;
const EARLY_FIRST_POLL_SHARE = 0.5;
const EARLY_STEP_SHARE = 0.25;
/** From this rate on a poll's turn is short enough to poll every job a little before its
 * predicted time, idle or not, and late jobs in short steps. */
const CHEAP_POLLS_PER_SECOND = 50;
const CHEAP_FIRST_POLL_SHARE = 0.8;
const GAP_CAP_PER_INPUT_MS = 60;
const GAP_CAP_BOUNDS = [1_000, 60_000] as const;
const BACKGROUND_GAP_CAP_MS = 15 * 60_000;

/** When a job is polled next; `early`: before its predicted time, if the rate is idle then. */
export interface PlannedPoll {
  at: number;
  early: boolean;
}

export class JobTiming {
  #fixedMs = DEFAULT_FIXED_MS;
  #perInputMs = DEFAULT_PER_INPUT_MS;
  #stepDown: number = STEP_DOWN_BOUNDS[1];
  readonly #lateGrowth: number;
  readonly #minGapMs: number;
  readonly #requestTurnMs: number;
  readonly #cheapPolls: boolean;
  /** Whether a job has been timed between a pending poll and the one that found it done. */
  #timed = false;

  /** @param ratePerSecond the plan's requests per second, which every poll takes a turn of */
  constructor(ratePerSecond = 5) {
    this.#lateGrowth = clamp(LATE_GROWTH_AT_ONE_PER_SECOND / ratePerSecond, LATE_GROWTH_BOUNDS);
    this.#minGapMs = clamp((MIN_GAP_REQUEST_TURNS * 1000) / ratePerSecond, MIN_GAP_BOUNDS);
    this.#requestTurnMs = 1000 / ratePerSecond;
    this.#cheapPolls = ratePerSecond >= CHEAP_POLLS_PER_SECOND;
  }

  /** Milliseconds after acceptance at which a job of `size` inputs is expected to be ready. */
  predictMs(size: number): number {
    return Math.min(MAX_PREDICTION_MS, Math.round(this.#fixedMs + this.#perInputMs * size));
  }

  /**
   * A job's first poll (`after` undefined), or its poll after an early turn at `after` (polled and
   * pending, or given up): an early turn, from half the prediction and then a quarter of it (at
   * least a request turn) later, while no job has been timed, fewer than MAX_EARLY_POLLS turns
   * were taken and the job is not yet due; else at its predicted time (at once if that is past).
   */
  planPoll(acceptedAt: number, size: number, earlyTurns: number, after?: number): PlannedPoll {
    const predictedMs = this.predictMs(size);
    if (this.#cheapPolls) {
      const share = this.#timed ? 1 : CHEAP_FIRST_POLL_SHARE;
      return { at: acceptedAt + Math.round(predictedMs * share), early: false };
    }
    const dueAt = acceptedAt + predictedMs;
    const earlyAt = Math.round(
      after === undefined
        ? acceptedAt + predictedMs * EARLY_FIRST_POLL_SHARE
        : after + Math.max(this.#requestTurnMs, predictedMs * EARLY_STEP_SHARE)
    );
    if (!this.#timed && earlyTurns < MAX_EARLY_POLLS && earlyAt < dueAt) {
      return { at: earlyAt, early: true };
    }
    return { at: Math.max(after ?? acceptedAt, dueAt), early: false };
  }

  /** Whether early turns are over: a job has been timed, so predictions are close. */
  get timed(): boolean {
    return this.#timed;
  }

  /**
   * Learns from a finished job: pending at age `pendingAgeMs` (undefined: its first poll got the
   * results) and done at age `doneAgeMs`.
   */
  observe(size: number, pendingAgeMs: number | undefined, doneAgeMs: number): void {
    const early = pendingAgeMs === undefined;
    if (!early) this.#timed = true;
    const targetMs = early ? doneAgeMs * (1 - this.#stepDown) : doneAgeMs;
    this.#stepDown = clamp(early ? this.#stepDown * 2 : 0, STEP_DOWN_BOUNDS);
    const predictedMs = this.#fixedMs + this.#perInputMs * size;
    const errorMs = targetMs - predictedMs;
    const fixedShare = this.#fixedMs / predictedMs;
    this.#fixedMs = clamp(this.#fixedMs + errorMs * fixedShare, FIXED_BOUNDS);
    this.#perInputMs = clamp(
      this.#perInputMs + (errorMs * (1 - fixedShare)) / size,
      PER_INPUT_BOUNDS
    );
  }

  /** The wait before polling again a job found pending at `ageMs`. */
  nextGapMs(ageMs: number, size: number, background: boolean): number {
    const capMs = background
      ? BACKGROUND_GAP_CAP_MS
      : clamp(size * GAP_CAP_PER_INPUT_MS, GAP_CAP_BOUNDS);
    return Math.round(Math.min(capMs, Math.max(this.#minGapMs, ageMs * this.#lateGrowth)));
  }
}

function clamp(value: number, [min, max]: readonly [number, number]): number {
  return Math.min(max, Math.max(min, value));
}
