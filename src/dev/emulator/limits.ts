// Geoapify's limits as the emulator applies them to each API request when it arrives: an outage,
// a spent daily quota, and the per-key rate. All three answer the same 429 (see GEOAPIFY.md);
// only the request log tells them apart.

import type { EmulatorModes, LimitReason } from "./types";

/** The rate is counted over a rolling second. */
const WINDOW_MS = 1000;

/**
 * Counts answered requests per API key over a rolling second: a request is admitted when fewer
 * than `limit` requests of its key were admitted in the 1,000 ms before it. Rejected requests
 * do not count, so a client that slows down is served again at once, as with Geoapify.
 */
export class RollingRateLimiter {
  /** Admission times in the current window, oldest first, per key. The keys stay in memory only. */
  private readonly admitted = new Map<string, number[]>();

  admit(key: string, at: number, limit: number): boolean {
    this.forgetBefore(at - WINDOW_MS);
    if (limit <= 0) return true;
    const times = this.admitted.get(key) ?? [];
    if (times.length >= limit) return false;
    times.push(at);
    this.admitted.set(key, times);
    return true;
  }

  clear(): void {
    this.admitted.clear();
  }

  /** Keeps memory to one window's worth of requests. */
  private forgetBefore(cutoff: number): void {
    for (const [key, times] of this.admitted) {
      let expired = 0;
      while (expired < times.length && times[expired] <= cutoff) expired++;
      if (expired === times.length) this.admitted.delete(key);
      else if (expired > 0) times.splice(0, expired);
    }
  }
}

/** Which limit, if any, refuses a request of `key` arriving at `at`. */
export function limitReached(
  modes: EmulatorModes,
  limiter: RollingRateLimiter,
  key: string,
  at: number
): LimitReason | undefined {
  if (modes.outageFrom <= at && at < modes.outageUntil) return "outage";
  if (modes.quotaExhausted) return "quota";
  // Last, so that requests refused for another reason do not use up the rate.
  if (!limiter.admit(key, at, modes.rateLimitPerSecond)) return "rate";
  return undefined;
}
