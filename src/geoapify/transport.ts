// One logical request to Geoapify: a scheduled HTTP exchange, repeated after failures that
// prove nothing was created. What may be repeated depends on what was sent:
//
// - 429 is the scheduler's: it slows down and repeats any request, a submit included (a 429'd
//   POST created no job).
// - GETs (polls, single lookups) are idempotent: 5xx, a dropped connection and the request
//   timeout are repeated.
// - The POST that creates a job is repeated only when the answer proves no job was created (500,
//   502, 503, 504). With no answer the job may exist already, and repeating the POST could bill
//   every input twice, so that fails as "network". (An answer whose body cannot be read is the
//   job's to judge: see GeoapifyClient's resubmission.)
// - 401/403, 400 and 404 are final: repeating them cannot succeed.
// - 503 is an outage (a team gateway that lost its Redis, or one whose upstream stayed too busy),
//   and a 503'd POST created no job. A submit or a single lookup waits it out, retried with
//   Retry-After honoured (capped) else a growing back-off, until `outageLimitMs` after its first
//   503 (the job timeout), then fails "unavailable". A poll fails "unavailable" after its
//   attempts like any 5xx, and its job polls again later: a paid job is never abandoned.

import { GeoapifyError } from "./errors";
import { httpExchange } from "./http";
import { backoffDelayMs, retryAfterDelayMs, type BackoffPolicy } from "./retry";
import type { Exchange, RequestKind, RequestScheduler, Timers } from "./scheduler";

/** 5xx answers to the POST that show the job was not created, so resubmitting is safe. */
const JOB_NOT_CREATED = new Set([500, 502, 503, 504]);

/** What a request carries to prove who pays: the key (or a gateway token) as `apiKey`, and an
 * `Authorization: Bearer` token for a team gateway only. */
export interface Credentials {
  apiKey: string;
  bearer?: string;
}

export interface RequestSpec {
  kind: RequestKind;
  method: "get" | "post";
  /** Path under the base URL, e.g. "/v1/batch/geocode/search". */
  path: string;
  /** Query parameters other than the key, which the transport adds. */
  params: Readonly<Record<string, string>>;
  json?: unknown;
  /** See ScheduledRequest.caller. */
  caller: boolean;
  /** Aborts the request while it waits for its turn or a retry, never once it is sent. */
  signal?: AbortSignal;
}

/** A successful (2xx) answer. */
export interface Answer {
  status: number;
  body: string;
  /** HTTP exchanges it took, repeats included. */
  requests: number;
}

export interface TransportOptions {
  baseUrl: string;
  /** Read before every request (see GeoapifyClientOptions.credentials). */
  credentials: () => Promise<Credentials>;
  scheduler: RequestScheduler;
  fetch: typeof fetch | undefined;
  requestTimeoutMs: number;
  /** Attempts per request for failures other than 429, the first one included. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** How long a submit or single lookup waits out 503s, from the first one. */
  outageLimitMs: number;
  now: () => number;
  timers: Timers;
  /** Ends every retry wait when the client closes. */
  lifetime: AbortSignal;
  onRetry: (retry: {
    request: RequestKind;
    status?: number;
    delayMs: number;
    attempt: number;
  }) => void;
}

/** What one request's failures so far allow. */
interface FailureTally {
  /** Failures other than an outage's 503s. */
  failures: number;
  outages: number;
  /** When the first 503 came. */
  outageSince?: number;
}

export class Transport {
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  /** Sends `spec` until it succeeds; throws the GeoapifyError that ended it otherwise. */
  async send(spec: RequestSpec): Promise<Answer> {
    let requests = 0;
    const tally: FailureTally = { failures: 0, outages: 0 };
    for (let attempt = 1; ; attempt++) {
      const exchange = await this.#options.scheduler.send({
        kind: spec.kind,
        caller: spec.caller,
        signal: spec.signal,
        exchange: () => {
          requests++;
          return this.exchange(spec);
        },
      });
      if (exchange !== undefined && exchange.status >= 200 && exchange.status < 300) {
        return { status: exchange.status, body: exchange.body, requests };
      }
      const delayMs = this.#retryDelayMs(spec, exchange, tally);
      this.#options.onRetry({ request: spec.kind, status: exchange?.status, delayMs, attempt });
      await this.#sleep(delayMs, spec.signal);
    }
  }

  /** The wait before repeating `spec` after this answer; throws when it must not be repeated. */
  #retryDelayMs(spec: RequestSpec, exchange: Exchange | undefined, tally: FailureTally): number {
    const { error, retryable } = judge(spec.kind, exchange?.status);
    const { backoff, now, outageLimitMs, maxAttempts } = this.#options;
    const askedMs = exchange && retryAfterDelayMs(exchange.headers, backoff.maxDelayMs, now());
    if (exchange?.status === 503 && spec.kind !== "poll") {
      // An outage does not use up the attempts other failures have: it lasts the job timeout.
      tally.outageSince ??= now();
      const leftMs = tally.outageSince + outageLimitMs - now();
      if (leftMs <= 0) throw error;
      return Math.min(leftMs, askedMs ?? backoffDelayMs(++tally.outages, backoff));
    }
    if (!retryable || ++tally.failures >= maxAttempts) throw error;
    return Math.max(askedMs ?? 0, backoffDelayMs(tally.failures, backoff));
  }

  /** One HTTP round trip, or `undefined` when no complete answer arrived. */
  async exchange(spec: RequestSpec): Promise<Exchange | undefined> {
    const { baseUrl, credentials, fetch, requestTimeoutMs } = this.#options;
    try {
      const { apiKey, bearer } = await credentials();
      // Neither the caller's signal nor the lifetime is passed on: a sent submit may have created
      // a job, and its answer (the job id) must not be lost.
      const response = await httpExchange(`${baseUrl}${spec.path}`, {
        method: spec.method,
        params: { ...spec.params, apiKey },
        headers: bearer ? { Authorization: `Bearer ${bearer}` } : undefined,
        json: spec.json,
        timeoutMs: requestTimeoutMs,
        fetch,
      });
      // The status arrived: a body cut off on its way is an unreadable answer, not no answer,
      // so a submit that was answered can be told from one that may or may not have been.
      const body = await response.text().catch(() => "");
      return { status: response.status, headers: response.headers, body };
    } catch {
      // fetch's errors quote the request URL, key included: none is passed on.
      return undefined;
    }
  }

  #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const { timers, lifetime } = this.#options;
    const signals = signal ? [signal, lifetime] : [lifetime];
    return new Promise((resolve, reject) => {
      const stop = () => {
        timers.clearTimeout(timer);
        signals.forEach((s) => s.removeEventListener("abort", stop));
        reject(new GeoapifyError("aborted", undefined, "aborted while waiting to retry"));
      };
      if (signals.some((s) => s.aborted)) return stop();
      const timer = timers.setTimeout(() => {
        signals.forEach((s) => s.removeEventListener("abort", stop));
        resolve();
      }, ms);
      signals.forEach((s) => s.addEventListener("abort", stop, { once: true }));
    });
  }
}

function judge(
  kind: RequestKind,
  status: number | undefined
): { error: GeoapifyError; retryable: boolean } {
  if (status === undefined) {
    return {
      error: new GeoapifyError("network", undefined, "no answer"),
      retryable: kind !== "submit",
    };
  }
  if (status === 401 || status === 403) {
    return { error: new GeoapifyError("auth", status), retryable: false };
  }
  if (status === 503) {
    // Nothing was created: every kind may repeat it (send() decides for how long).
    return { error: new GeoapifyError("unavailable", status), retryable: true };
  }
  if (status >= 500) {
    const retryable = kind !== "submit" || JOB_NOT_CREATED.has(status);
    return { error: new GeoapifyError("server", status), retryable };
  }
  if (status === 400) {
    return { error: new GeoapifyError("bad-request", status), retryable: false };
  }
  if (status === 404 && kind === "poll") {
    return {
      error: new GeoapifyError("expired", status, "job unknown or expired"),
      retryable: false,
    };
  }
  return { error: new GeoapifyError("server", status, "unexpected status"), retryable: false };
}
