// The emulator's public contract: how it is configured, what it records, what it can be told to
// break. Wire types (bodies Geoapify sends) live in src/geoapify/types.ts instead.

export interface EmulatorOptions {
  /** Delay before every answer, in ms, to model the network round trip. Default 0. */
  latencyMs?: number;
  /** Fixed part of a batch job's processing time, in ms. Default 300. */
  jobBaseMs?: number;
  /** Processing time added per address of a batch job, in ms. Default 0.2. */
  jobPerAddressMs?: number;
  /** When set, every job takes exactly this long, in ms, whatever its size. Default none. */
  jobMs?: number;
  /**
   * Geoapify's per-second rate, per API key: an API request arriving when this many requests of
   * the same key were answered in the last 1,000 ms gets the spec's 429. Default 0: no limit.
   */
  rateLimitPerSecond?: number;
  /** `Retry-After` in seconds on the emulator's own 429s (rate, outage, quota). Default none. */
  retryAfterSeconds?: number;
  /**
   * An outage: every API request is answered 429 for `durationMs`, starting `afterMs` (default 0)
   * after construction or `reset()`, on the `now` clock. Default none.
   */
  outage?: { afterMs?: number; durationMs: number };
  /** See EmulatorModes.cutSubmits and cutPolls. Default 0. */
  cutSubmits?: number;
  cutPolls?: number;
  /** API keys answered with 401. Default none: any non-empty key is accepted. */
  invalidKeys?: string[];
  /**
   * Whether CORS responses expose `Retry-After` to browser scripts. Default true; false models a
   * server whose 429s carry a header the page cannot read.
   */
  exposeRetryAfter?: boolean;
  /**
   * Whether the dev-only control endpoints under `/__emulator/` answer (see ./control.ts).
   * Default true.
   */
  controlApi?: boolean;
  /**
   * Clock for job readiness, result expiry, the rate window, outages and `RecordedRequest.at`,
   * in ms. Default `Date.now`. Latency is always real time: it is how long a socket waits, not
   * emulated time.
   */
  now?: () => number;
}

/** Settings that can also change while the emulator runs, through `set()` or the control API. */
export interface EmulatorModes {
  /** Jobs stay pending, however long they are polled. */
  neverFinish: boolean;
  /** Every API request is answered 429 "Quota exceeded", as when the daily credits are spent. */
  quotaExhausted: boolean;
  /** Requests per second per key; 0 for no limit. */
  rateLimitPerSecond: number;
  /** Outage window on the `now` clock: API requests arriving in [outageFrom, outageUntil) get 429. */
  outageFrom: number;
  outageUntil: number;
  /** Seconds for `Retry-After` on the emulator's own 429s; null for no header. */
  retryAfterSeconds: number | null;
  latencyMs: number;
  jobBaseMs: number;
  jobPerAddressMs: number;
  /** Duration of every job, overriding jobBaseMs and jobPerAddressMs; null to use them. */
  jobMs: number | null;
  invalidKeys: readonly string[];
  /** The next this many submits (search or reverse) that would be answered 200/202 get their
   * answer's body cut off mid-JSON; the job is created all the same, as when a connection breaks
   * on the way back. Counts down with each. */
  cutSubmits: number;
  /** The same for polls answered 200/202. */
  cutPolls: number;
}

export type RequestKind =
  "submit" | "poll" | "single" | "reverse-submit" | "reverse-poll" | "single-reverse" | "other";

/** Which emulated limit answered a request with 429. */
export type LimitReason = "rate" | "outage" | "quota";

export interface RecordedRequest {
  kind: RequestKind;
  method: string;
  /** HTTP status answered; 0 while the request is still open, or when it was dropped. */
  status: number;
  /** Number of inputs in a submitted body that was an array. */
  addresses?: number;
  /**
   * The inputs of an accepted submit, as sent (addresses, or `[lon, lat]` / `{lon, lat}` items).
   * Only the most recent inputs are kept (see `RECORDED_INPUTS_LIMIT`), so memory stays bounded.
   */
  inputs?: readonly unknown[];
  /** The query options of a lookup, e.g. `{ lang: "de", filter: "countrycode:de" }`. */
  options?: Readonly<Record<string, string>>;
  /** Job created by a submit, or asked for by a poll. */
  jobId?: string;
  /** Set when an emulated limit answered 429. */
  limit?: LimitReason;
  /** Whether the request carried an API key. The key itself is never recorded. */
  apiKeyPresent: boolean;
  /** Arrival time, from the `now` clock. */
  at: number;
}

/** Totals for the workbench, e2e tests and the bench; also served as `GET /__emulator/stats`. */
export interface EmulatorStats {
  /** The `now` clock, so a page can read the outage window relative to it. */
  now: number;
  modes: EmulatorModes;
  /** API requests (not CORS preflights, not control calls). */
  total: number;
  /** API requests by kind, then by status answered ("0": dropped or still open). */
  byKind: Partial<Record<RequestKind, Record<string, number>>>;
  /** 429s answered by each emulated limit (injected faults not included). */
  rejected: Record<LimitReason, number>;
}

/** Which requests a fault may hit. "submit" and "poll" cover the reverse endpoints too. */
export type FaultTarget = "submit" | "poll" | "single" | "any";

/** Faults answered in place of the request. */
export type AnswerFault =
  /** A 429; pass `message: "Quota exceeded"` for the spec's body (see ./faults.ts for the default). */
  | { status: 429; retryAfterSeconds?: number; message?: string }
  | { status: 500 | 502 | 503 }
  | { status: 401 }
  /** Destroy the socket without answering. */
  | "drop"
  /** 200 whose body is not JSON. */
  | "malformed";

/**
 * Faults that corrupt a finished batch answer: the 200 of a poll, or of a submit whose job
 * finished at once. They wait in the script until such an answer comes.
 */
export type ResultFault =
  /** The result array lacks its last element. */
  | "wrong-length"
  /** The results come in reverse input order. */
  | "reorder";

/** A one-shot fault. Each fires on the first matching request, in the order injected. */
export type Fault =
  | { on?: FaultTarget; response: AnswerFault }
  | { on?: "submit" | "poll" | "any"; response: ResultFault };
