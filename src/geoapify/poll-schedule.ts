// When to poll a batch job.
//
// Small jobs usually finish within a second or two, so the first poll comes early. Every later
// wait is 1.5 times the previous one: a job that is still pending after a few polls is a big or
// queued job, and asking again quickly only spends requests (each poll counts against the key's
// rate limit). The interval stops growing at a cap proportional to the job's size, because
// Geoapify asks that large jobs are polled at most once a minute:
//
//   cap = clamp(jobSize × 60 ms, 1 s, 60 s)
//
// With the defaults, a 10-address job is polled after 250, 375, 563, 844, 1000, 1000 … ms and a
// 1000-address job after 250, 375, 563, … until the waits reach 60 s. The job timeout bounds the
// whole sequence; the client cuts the last wait short at the deadline.

/** How much longer each wait is than the one before it. */
const POLL_GROWTH = 1.5;
/** Per-address share of the interval cap. */
const POLL_CAP_PER_ADDRESS_MS = 60;
/** Floor of the interval cap, so that small jobs are not polled in a tight loop. */
const POLL_CAP_MIN_MS = 1000;
/** Ceiling of the interval cap: Geoapify's "no more than once a minute" for large jobs. */
const POLL_CAP_MAX_MS = 60_000;

/** The longest wait between two polls of a job with `jobSize` addresses. */
function pollIntervalCapMs(jobSize: number): number {
  return Math.min(POLL_CAP_MAX_MS, Math.max(POLL_CAP_MIN_MS, jobSize * POLL_CAP_PER_ADDRESS_MS));
}

/**
 * The waits before each poll of a job, in order: `initialDelayMs`, then growing by
 * {@link POLL_GROWTH} up to {@link pollIntervalCapMs}. Endless; the caller stops at its deadline.
 */
export function* pollDelays(initialDelayMs: number, jobSize: number): Generator<number, never> {
  const capMs = Math.max(initialDelayMs, pollIntervalCapMs(jobSize));
  let delayMs = initialDelayMs;
  for (;;) {
    yield Math.round(delayMs);
    delayMs = Math.min(capMs, delayMs * POLL_GROWTH);
  }
}
