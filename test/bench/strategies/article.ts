// The batching pattern most people copy (the PyXLL asyncio article, Microsoft's batching
// sample), reimplemented faithfully:
// - the first call opens a fixed 100 ms window; when it closes, the whole queue goes out as one
//   job, whatever its size;
// - the job is polled every 100 ms until it is done;
// - no de-duplication, no cache, plain fetch, no retries.
//
// Where it breaks: Geoapify rejects a job of more than 1,000 addresses with a 400. The original
// has no error handling, so its cells would stay #BUSY! forever; here they reject with
// ArticleHttpError, so that the run ends and the failure can be reported.

import { BENCH_API_KEY, type CellValue, type Strategy } from "./cell";

const WINDOW_MS = 100;
const POLL_INTERVAL_MS = 100;

/** A non-2xx answer that the article's code does not handle. */
export class ArticleHttpError extends Error {
  override readonly name = "ArticleHttpError";

  constructor(
    readonly status: number,
    readonly jobSize: number
  ) {
    super(`HTTP ${status} for a job of ${jobSize} addresses`);
  }
}

interface QueuedCell {
  address: string;
  resolve: (value: CellValue | null) => void;
  reject: (reason: unknown) => void;
}

export interface ArticleStrategy extends Strategy {
  /** Jobs whose submission or poll was refused, in order. */
  readonly failures: readonly ArticleHttpError[];
}

export function articleStrategy(baseUrl: string): ArticleStrategy {
  const url = `${baseUrl}/v1/batch/geocode/search`;
  const failures: ArticleHttpError[] = [];
  let queue: QueuedCell[] = [];
  let windowTimer: ReturnType<typeof setTimeout> | undefined;

  const runJob = async (cells: QueuedCell[]): Promise<void> => {
    const submitted = await fetch(`${url}?apiKey=${BENCH_API_KEY}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(cells.map((cell) => cell.address)),
    });
    let answer = submitted;
    // A 200 means the job was done before the POST returned (a zero-duration model).
    if (submitted.status === 202) {
      const { id } = (await submitted.json()) as { id: string };
      do {
        await new Promise((wake) => setTimeout(wake, POLL_INTERVAL_MS));
        answer = await fetch(`${url}?id=${id}&apiKey=${BENCH_API_KEY}`);
      } while (answer.status === 202);
    }
    if (answer.status !== 200) throw new ArticleHttpError(answer.status, cells.length);
    const results = (await answer.json()) as Array<{ lat?: number; lon?: number }>;
    cells.forEach((cell, index) => {
      const { lat, lon } = results[index];
      cell.resolve(lat === undefined || lon === undefined ? null : { lat, lon });
    });
  };

  const flush = (): void => {
    const cells = queue;
    queue = [];
    windowTimer = undefined;
    runJob(cells).catch((error: unknown) => {
      if (error instanceof ArticleHttpError) failures.push(error);
      for (const cell of cells) cell.reject(error);
    });
  };

  return {
    failures,
    locate: (address) =>
      new Promise((resolve, reject) => {
        queue.push({ address, resolve, reject });
        windowTimer ??= setTimeout(flush, WINDOW_MS);
      }),
    close: async () => {},
  };
}
