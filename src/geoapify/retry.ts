// How long to wait before repeating a request that failed.

export interface BackoffPolicy {
  /** The first wait is up to this long, each later one up to twice as long. */
  baseDelayMs: number;
  /** Upper bound of any single wait, also applied to a server's Retry-After. */
  maxDelayMs: number;
  /** Source of jitter in [0, 1). */
  random: () => number;
}

/**
 * Exponential backoff with jitter over the upper half of the window: a uniform wait in
 * [c/2, c) with c = min(max, base × 2^(attempt−1)).
 *
 * Jitter spreads the retries of many runtimes that failed together (a 429 burst hits every open
 * workbook at once). Full jitter ([0, c)) could draw near-zero waits again and again, and the
 * quota rule counts on the waits growing: half jitter keeps the spread and bounds what a minute
 * of persistent 429s costs: with base 1 s and the scheduler's 8 s cap, 10 to 18 requests (13 at
 * the middle of the jitter); with a 30 s cap, at most 8.
 *
 * @param attempt the failures so far, starting at 1
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy): number {
  const ceilingMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(ceilingMs / 2 + (policy.random() * ceilingMs) / 2);
}

/**
 * The wait a `Retry-After` header asks for (delta-seconds or an HTTP date), capped at
 * `maxDelayMs`, or `undefined` when the header is absent or unreadable. Cross-origin, browsers
 * hide the header unless the server exposes it, so callers must have a fallback.
 */
export function retryAfterDelayMs(
  headers: Headers,
  maxDelayMs: number,
  now: number
): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) {
    return undefined;
  }
  const delayMs = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (Number.isNaN(delayMs)) {
    return undefined;
  }
  return Math.min(maxDelayMs, Math.max(0, Math.ceil(delayMs)));
}
