// Geoapify's batch geocoding API as one call: submit the addresses, poll the job until it is
// done, and hand back one entry per address in input order. The client knows nothing of Excel or
// of batching policy; it turns every failure into a GeoapifyError whose message a spreadsheet
// user can act on and which never contains the API key.

import { QuotaCircuit, type CircuitPass, type CircuitState } from "./circuit";
import { GeoapifyError } from "./errors";
import { failures } from "./failures";
import { parseJson, readBatchResults, readJobId, readSingleResult, type Place } from "./parse";
import { pollDelays } from "./poll-schedule";
import { CallScope } from "./scope";
import { send, type RequestName, type RequestSpec, type SendContext } from "./send";
import { MAX_BATCH_SIZE } from "./types";

export type { Place } from "./parse";

export interface GeoapifyClientOptions {
  /** Origin of the API, without the `/v1` path. Default `"https://api.geoapify.com"`. */
  baseUrl?: string;
  /**
   * Time from submission until the results must be in, polls and retries included. When it
   * passes, the call fails with kind "timeout". Also bounds a `geocodeOne` call, so that no call
   * can hang on a stalled answer. Default `120_000`.
   */
  jobTimeoutMs?: number;
  /** HTTP attempts per request, the first one included. Default `4` (1 + 3 retries). */
  maxAttempts?: number;
  /** Base of the exponential, fully jittered retry backoff. Default `500`. */
  retryBaseDelayMs?: number;
  /** Longest single retry wait; also caps a server's `Retry-After`. Default `30_000`. */
  maxRetryDelayMs?: number;
  /**
   * Wait before the first poll of a job; later waits grow with the job's age and size (see
   * poll-schedule.ts). Default `250`.
   */
  pollInitialDelayMs?: number;
  /**
   * After Geoapify reports the daily quota spent, calls fail at once for this long without
   * sending anything; then one call is let through to find out. Default `900_000` (15 min).
   */
  quotaCooldownMs?: number;
  /** ky's timeout for each HTTP attempt; expiry counts as a network failure. Default `30_000`. */
  requestTimeoutMs?: number;
  /** The fetch implementation. Default `globalThis.fetch`, looked up at request time. */
  fetch?: typeof fetch;
  /** Source of retry jitter in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Observer for telemetry and tests. Events never contain the API key. */
  onEvent?: (event: ClientEvent) => void;
}

export type ClientEvent =
  /** A job was accepted; `jobId` is absent when the POST answered with the results at once. */
  | { type: "submitted"; jobId?: string; size: number; attempt: number }
  /** A poll was answered: 202 while pending, 200 with the results. */
  | { type: "polled"; jobId: string; poll: number; status: number }
  /** Attempt `attempt` failed (with `status`, or without an answer) and is retried in `delayMs`. */
  | {
      type: "retry";
      request: RequestName;
      status?: number;
      delayMs: number;
      attempt: number;
    }
  /** The quota circuit changed state. */
  | { type: "circuit"; state: CircuitState };

export interface BatchOutcome {
  /** One entry per input, in input order: a Place, null when Geoapify found nothing, or a per-address GeoapifyError. */
  places: Array<Place | null | GeoapifyError>;
  /** Absent when the POST answered with the results at once. */
  jobId?: string;
  /** Polls made (each may have taken several HTTP requests). */
  polls: number;
  /** HTTP requests sent, retries included. */
  requests: number;
  durationMs: number;
}

export interface GeocodeCallOptions {
  /** Sent only as the `apiKey` query parameter. */
  apiKey: string;
  /** Aborting ends every wait and request at once; the call rejects with kind "aborted". */
  signal?: AbortSignal;
}

const defaults = {
  baseUrl: "https://api.geoapify.com",
  jobTimeoutMs: 120_000,
  maxAttempts: 4,
  retryBaseDelayMs: 500,
  maxRetryDelayMs: 30_000,
  pollInitialDelayMs: 250,
  quotaCooldownMs: 15 * 60_000,
  requestTimeoutMs: 30_000,
};

export class GeoapifyClient {
  readonly #settings: typeof defaults;
  readonly #fetch: typeof fetch | undefined;
  readonly #random: () => number;
  readonly #onEvent: (event: ClientEvent) => void;
  readonly #circuit: QuotaCircuit;

  constructor(options: GeoapifyClientOptions = {}) {
    const { fetch, random, onEvent, ...settings } = options;
    this.#settings = { ...defaults, ...withoutUndefined(settings) };
    this.#settings.baseUrl = this.#settings.baseUrl.replace(/\/+$/, "");
    this.#fetch = fetch;
    this.#random = random ?? Math.random;
    this.#onEvent = onEvent ?? (() => {});
    this.#circuit = new QuotaCircuit(this.#settings.quotaCooldownMs, (state) =>
      this.#onEvent({ type: "circuit", state })
    );
  }

  /**
   * Geocodes 1 to 1,000 addresses as one Geoapify batch job. Rejects with a GeoapifyError when
   * the batch as a whole fails, and with a RangeError for an empty or oversized batch.
   */
  async geocodeBatch(
    addresses: readonly string[],
    options: GeocodeCallOptions
  ): Promise<BatchOutcome> {
    if (addresses.length === 0 || addresses.length > MAX_BATCH_SIZE) {
      throw new RangeError(
        `geocodeBatch takes 1 to ${MAX_BATCH_SIZE} addresses, not ${addresses.length}`
      );
    }
    return this.#guard(options.signal, (scope) => this.#runJob(addresses, options.apiKey, scope));
  }

  /** Geocodes one address with `GET /v1/geocode/search?text=&format=json`. */
  async geocodeOne(address: string, options: GeocodeCallOptions): Promise<Place | null> {
    return this.#guard(options.signal, (scope) => this.#searchOne(address, options.apiKey, scope));
  }

  /** Runs a call inside the quota circuit and a scope that ends on abort or at the deadline. */
  async #guard<T>(
    signal: AbortSignal | undefined,
    call: (scope: CallScope) => Promise<T>
  ): Promise<T> {
    const scope = new CallScope(signal, this.#settings.jobTimeoutMs);
    let pass: CircuitPass | undefined;
    try {
      // An aborted call must not take the circuit's single half-open probe.
      scope.throwIfEnded();
      pass = this.#circuit.admit();
      const result = await call(scope);
      this.#circuit.settle(pass);
      return result;
    } catch (error) {
      const cause = scope.explain(error);
      if (pass !== undefined) {
        this.#circuit.settle(pass, cause);
      }
      throw cause;
    } finally {
      scope.dispose();
    }
  }

  async #runJob(
    addresses: readonly string[],
    apiKey: string,
    scope: CallScope
  ): Promise<BatchOutcome> {
    const startedAt = performance.now();
    const url = `${this.#settings.baseUrl}/v1/batch/geocode/search`;
    const size = addresses.length;
    let requests = 0;
    const outcome = (json: unknown, jobId: string | undefined, polls: number) => ({
      places: readBatchResults(json, addresses, 200),
      jobId,
      polls,
      requests,
      durationMs: performance.now() - startedAt,
    });

    const submit = await send(
      { name: "submit", method: "post", url, searchParams: { apiKey }, json: addresses },
      this.#sendContext("submit", scope)
    );
    requests += submit.attempts;
    const submitted = parseJson(submit.body, submit.status);
    if (submit.status === 200) {
      this.#onEvent({ type: "submitted", size, attempt: submit.attempts });
      return outcome(submitted, undefined, 0);
    }
    if (submit.status !== 202) {
      throw failures.malformed(submit.status);
    }
    const jobId = readJobId(submitted, submit.status);
    this.#onEvent({ type: "submitted", jobId, size, attempt: submit.attempts });

    const poll: RequestSpec = {
      name: "poll",
      method: "get",
      url,
      searchParams: { id: jobId, apiKey },
    };
    const pollContext = this.#sendContext("poll", scope);
    const delays = pollDelays(this.#settings.pollInitialDelayMs, size);
    // Bounded by the scope: its deadline ends the wait (kind "timeout") or the request in flight.
    for (let polls = 1; ; polls++) {
      await scope.wait(delays.next().value);
      const answer = await send(poll, pollContext);
      requests += answer.attempts;
      this.#onEvent({ type: "polled", jobId, poll: polls, status: answer.status });
      if (answer.status === 200) {
        return outcome(parseJson(answer.body, answer.status), jobId, polls);
      }
      if (answer.status !== 202) {
        throw failures.malformed(answer.status);
      }
    }
  }

  async #searchOne(address: string, apiKey: string, scope: CallScope): Promise<Place | null> {
    const answer = await send(
      {
        name: "single",
        method: "get",
        url: `${this.#settings.baseUrl}/v1/geocode/search`,
        searchParams: { text: address, format: "json", apiKey },
      },
      this.#sendContext("single", scope)
    );
    const place = readSingleResult(parseJson(answer.body, answer.status), answer.status);
    if (place instanceof GeoapifyError) {
      throw place;
    }
    return place;
  }

  #sendContext(request: RequestName, scope: CallScope): SendContext {
    return {
      scope,
      policy: {
        maxAttempts: this.#settings.maxAttempts,
        baseDelayMs: this.#settings.retryBaseDelayMs,
        maxDelayMs: this.#settings.maxRetryDelayMs,
        random: this.#random,
      },
      requestTimeoutMs: this.#settings.requestTimeoutMs,
      fetch: this.#fetch,
      onRetry: (retry) => this.#onEvent({ type: "retry", request, ...retry }),
    };
  }
}

/** Drops keys set to `undefined`, so that `{ maxAttempts: undefined }` keeps the default. */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined)
  ) as Partial<T>;
}
