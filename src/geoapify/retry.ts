// How long to wait before repeating a failed request.

export interface RetryPolicy {
  /** Attempts per request, the first one included. */
  maxAttempts: number;
  /** Backoff base: the first retry waits up to this long, each later one up to twice as long. */
  baseDelayMs: number;
  /** Upper bound of any single wait, also applied to a server's Retry-After. */
  maxDelayMs: number;
  /** Source of jitter in [0, 1). */
  random: () => number;
}

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(max, base × 2^(attempt−1))).
 * Full jitter spreads the retries of many clients that failed together (a 429 burst hits every
 * open workbook at once), which a fixed exponential schedule would keep in lockstep.
 *
 * @param attempt the attempt that just failed, starting at 1
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy): number {
  const ceilingMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceilingMs);
}

/**
 * The wait a `Retry-After` header asks for (delta-seconds or an HTTP date), capped at
 * `maxDelayMs`, or `undefined` when the header is absent or unreadable. Cross-origin, browsers
 * hide the header unless the server exposes it, so callers must have a fallback.
 */
export function retryAfterDelayMs(headers: Headers, maxDelayMs: number): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) {
    return undefined;
  }
  const delayMs = /^\d+(\.\d+)?$/.test(value)
    ? Number(value) * 1000
    : Date.parse(value) - Date.now();
  if (Number.isNaN(delayMs)) {
    return undefined;
  }
  return Math.min(maxDelayMs, Math.max(0, Math.ceil(delayMs)));
}
