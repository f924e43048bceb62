// What every strategy offers the invoker: one call per cell.

/** What a cell shows: coordinates, or null when Geoapify found nothing. */
export interface Coordinates {
  lat: number;
  lon: number;
}

export interface Strategy {
  /** One cell's call; rejects with the error the cell would show. */
  locate(address: string): Promise<Coordinates | null>;
  /** Stops timers and settles anything pending. */
  close(): Promise<void>;
}

/** The API key the strategies send; the emulator accepts any non-empty key. */
export const BENCH_API_KEY = "bench";
