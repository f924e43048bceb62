// One logical request to Geoapify: HTTP through ky, with the retry policy spelled out here
// rather than left to ky's defaults, because what may be repeated depends on what was sent.
//
// - GETs (polls, single searches) are idempotent: 429 without "quota", any 5xx, a dropped
//   connection and ky's request timeout are all retried.
// - The POST that creates a job is retried only when the answer proves no job was created
//   (429, 500, 502, 503, 504). With no answer at all the job may exist already, and repeating
//   the POST could geocode (and bill) every address twice, so that fails as "network".
// - 401/403, 400 and the daily quota are final: repeating them cannot succeed.
//
// Every attempt counts against `maxAttempts`. A retry whose wait would outlast the call's
// deadline is not attempted: the failure that prompted it says more than "timed out" would.
// Every wait ends at once when the call's scope ends.

import ky from "ky";
import type { GeoapifyError } from "./errors";
import { failures } from "./failures";
import { errorMessage } from "./parse";
import { backoffDelayMs, retryAfterDelayMs, type RetryPolicy } from "./retry";
import type { CallScope } from "./scope";

/** 5xx answers to the POST that show the job was not created, so resubmitting is safe. */
const JOB_NOT_CREATED = new Set([500, 502, 503, 504]);

export type RequestName = "submit" | "poll" | "single";

export interface RequestSpec {
  name: RequestName;
  method: "get" | "post";
  url: string;
  /** Includes `apiKey`, which therefore only ever travels in the query string. */
  searchParams: Record<string, string>;
  json?: readonly string[];
}

export interface SendContext {
  scope: CallScope;
  policy: RetryPolicy;
  /** ky's per-attempt timeout; expiry counts as a network failure. */
  requestTimeoutMs: number;
  fetch: typeof fetch | undefined;
  onRetry: (retry: { status?: number; delayMs: number; attempt: number }) => void;
}

/** A successful (2xx) answer. */
export interface Answer {
  status: number;
  body: string;
  /** HTTP requests it took, retries included. */
  attempts: number;
}

interface Exchange {
  status: number;
  headers: Headers;
  body: string;
}

/** Sends `spec` until it succeeds, and throws the GeoapifyError that ended it otherwise. */
export async function send(spec: RequestSpec, context: SendContext): Promise<Answer> {
  const { scope, policy } = context;
  for (let attempt = 1; ; attempt++) {
    const exchange = await exchangeOnce(spec, context);
    if (exchange !== undefined && exchange.status >= 200 && exchange.status < 300) {
      return { status: exchange.status, body: exchange.body, attempts: attempt };
    }
    const failure = judge(spec.name, exchange);
    if (!failure.retryable || attempt >= policy.maxAttempts) {
      throw failure.error;
    }
    const serverDelayMs = exchange && retryAfterDelayMs(exchange.headers, policy.maxDelayMs);
    const delayMs = serverDelayMs ?? backoffDelayMs(attempt, policy);
    if (delayMs >= scope.remainingMs()) {
      throw failure.error;
    }
    context.onRetry({ status: exchange?.status, delayMs, attempt });
    await scope.wait(delayMs);
  }
}

/** One HTTP round trip, or `undefined` when no complete answer arrived. */
async function exchangeOnce(
  spec: RequestSpec,
  context: SendContext
): Promise<Exchange | undefined> {
  try {
    const response = await ky(spec.url, {
      method: spec.method,
      searchParams: spec.searchParams,
      json: spec.json,
      signal: context.scope.signal,
      timeout: context.requestTimeoutMs,
      fetch: context.fetch,
      retry: 0,
      throwHttpErrors: false,
    });
    const body = await response.text();
    return { status: response.status, headers: response.headers, body };
  } catch {
    // ky's and fetch's errors quote the request URL, API key included, so none of them is
    // passed on: an ended scope explains itself, anything else is a connection failure.
    context.scope.throwIfEnded();
    return undefined;
  }
}

function judge(
  name: RequestName,
  exchange: Exchange | undefined
): { error: GeoapifyError; retryable: boolean } {
  if (exchange === undefined) {
    return { error: failures.network(), retryable: name !== "submit" };
  }
  const { status } = exchange;
  if (status === 401 || status === 403) {
    return { error: failures.auth(status), retryable: false };
  }
  if (status === 429) {
    return /quota/i.test(errorMessage(exchange.body))
      ? { error: failures.quota(status), retryable: false }
      : { error: failures.rateLimit(status), retryable: true };
  }
  if (status >= 500) {
    return {
      error: failures.server(status),
      retryable: name !== "submit" || JOB_NOT_CREATED.has(status),
    };
  }
  if (status === 400) {
    return { error: failures.badRequest(status), retryable: false };
  }
  if (status === 404 && name === "poll") {
    return { error: failures.lostJob(status), retryable: false };
  }
  return { error: failures.unexpectedStatus(status), retryable: false };
}
