// What every strategy offers the invoker: one call per cell.

/**
 * What a cell shows: the matched position and, for reverse lookups, the formatted address that
 * GEO.REVERSE displays; null when Geoapify found nothing.
 */
export interface CellValue {
  lat: number;
  lon: number;
  formatted?: string;
}

export interface Strategy {
  /** One cell's call: an address, or "lat,lon" for a reverse sheet; rejects with the cell's error. */
  locate(input: string): Promise<CellValue | null>;
  /** Stops timers and settles anything pending. */
  close(): Promise<void>;
}

/** The API key the strategies send; the emulator accepts any non-empty key. */
export const BENCH_API_KEY = "bench";

/**
 * The rate GeoBatch and the naive client are given when the emulator enforces no limit: the
 * highest the ratePerSecond setting accepts (src/settings/settings.ts), so that no pacing of
 * theirs counts against the limit-free floor.
 */
export const UNLIMITED_RATE_PER_SECOND = 1000;
