// The naive strategy: one single-address request per cell, with the product's own HTTP client
// (GeoapifyClient.single, which paces every request through the key's request scheduler), at
// most `concurrency` requests at once. No de-duplication and no cache: a sheet of N cells costs
// N requests.

import { GeoapifyClient, memoryJobStore } from "../../../src/geoapify/client";
import { BENCH_API_KEY, type CellValue, type Strategy } from "./cell";

export const NAIVE_CONCURRENCY = 5;

/** `ratePerSecond`: the client's pacing, the plan's rate (5 on the free plan). */
export function naiveStrategy(
  baseUrl: string,
  ratePerSecond: number,
  concurrency = NAIVE_CONCURRENCY
): Strategy {
  const client = new GeoapifyClient({
    baseUrl,
    apiKey: BENCH_API_KEY,
    ratePerSecond,
    jobStore: memoryJobStore(),
  });
  const limit = new ConcurrencyLimit(concurrency);
  return {
    locate: (address) =>
      limit.run(async (): Promise<CellValue | null> => {
        const place = await client.single("search", {}, address);
        return place && { lat: place.lat, lon: place.lon };
      }),
    close: async () => client.close(),
  };
}

/** Runs at most `limit` tasks at once; the others start in call order as slots free up. */
class ConcurrencyLimit {
  private running = 0;
  // A queue with a moving head: Array#shift is O(n), and a 10,000-cell sheet queues 9,995 tasks.
  private readonly waiting: Array<() => void> = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) {
      this.running++;
    } else {
      // The finishing task hands its slot over, so `running` stays counted for this one.
      await new Promise<void>((start) => this.waiting.push(start));
    }
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    if (this.head < this.waiting.length) {
      const start = this.waiting[this.head];
      this.waiting[this.head++] = noop;
      start();
    } else {
      this.running--;
      this.waiting.length = 0;
      this.head = 0;
    }
  }
}

function noop(): void {}
