// When to poll a batch job: at the time it is predicted to be ready, learned from the jobs so far.
//
// A job's time is modelled as a fixed cost plus a time per input. Each finished job tells when it
// was ready: after its last pending poll and no later than the poll that got the results. The
// model takes that upper bound when it was late (polling early costs a poll and a back-off, which
// is dearer than a little lateness) and creeps down 5% after a job that was ready at its first
// poll, so it follows Geoapify getting faster as well as slower. The error is split between the
// two terms in proportion to their share of the prediction: small jobs teach the fixed cost, big
// jobs the time per input, and a job of the same size is predicted exactly.
//
// A job that is late is polled again after half its age (1.5× back-off), at most every
// clamp(size × 60 ms, 1 s, 60 s) while a caller waits (Geoapify asks that large jobs are polled
// at most once a minute), and at most every 15 minutes once nobody waits.

/** Before any job has finished: 500 ms + 1 ms per input. */
const DEFAULT_FIXED_MS = 500;
const DEFAULT_PER_INPUT_MS = 1;
const FIXED_BOUNDS = [50, 60_000] as const;
const PER_INPUT_BOUNDS = [0, 1_000] as const;
/** The longest prediction trusted: beyond it the job is polled by back-off anyway. */
const MAX_PREDICTION_MS = 30 * 60_000;
/** How far the estimate creeps down after a job that was ready at its first poll. */
const CREEP_DOWN = 0.95;
const LATE_GROWTH = 0.5;
const MIN_GAP_MS = 250;
const GAP_CAP_PER_INPUT_MS = 60;
const GAP_CAP_BOUNDS = [1_000, 60_000] as const;
const BACKGROUND_GAP_CAP_MS = 15 * 60_000;

export class JobTiming {
  #fixedMs = DEFAULT_FIXED_MS;
  #perInputMs = DEFAULT_PER_INPUT_MS;

  /** Milliseconds after acceptance at which a job of `size` inputs is expected to be ready. */
  predictMs(size: number): number {
    return Math.min(MAX_PREDICTION_MS, Math.round(this.#fixedMs + this.#perInputMs * size));
  }

  /**
   * Learns from a finished job: pending at age `pendingAgeMs` (undefined: its first poll got the
   * results) and done at age `doneAgeMs`.
   */
  observe(size: number, pendingAgeMs: number | undefined, doneAgeMs: number): void {
    const targetMs = pendingAgeMs === undefined ? doneAgeMs * CREEP_DOWN : doneAgeMs;
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
    return Math.round(Math.min(capMs, Math.max(MIN_GAP_MS, ageMs * LATE_GROWTH)));
  }
}

function clamp(value: number, [min, max]: readonly [number, number]): number {
  return Math.min(max, Math.max(min, value));
}
