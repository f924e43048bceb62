// Every request to Geoapify leaves through here: one slot of the team's rate taken in Redis
// first (all replicas, Redis's clock, a 1.1 s window for a 1 s limit: a request sent at the end
// of one window can arrive in the next), a shared back-off after a 429, and the same rules as the
// add-in's scheduler: a 429 means slow down; only 429s that persist mean the quota is spent.

import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { sleep } from "./clock";
import type { GatewayMetrics } from "./metrics";
import type { GatewayStore } from "./store/store";

export interface UpstreamAnswer {
  status: number;
  body: unknown;
}

export type Purpose = "submit" | "poll" | "single";

/** The upstream did not answer in time, or no rate slot came before the caller's deadline. */
export class UpstreamUnavailableError extends Error {
  override readonly name = "UpstreamUnavailableError";
}

export interface UpstreamOptions {
  baseUrl: string;
  apiKey: string;
  ratePerSecond: number;
  /** Added to the 1 s window the rate is counted in. Default 100 ms. */
  windowMarginMs?: number;
  /** 429s with no other answer for this long mean the daily quota is spent. Default 60 s. */
  quotaAfterMs?: number;
  requestTimeoutMs?: number;
}

const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const SERVER_ERROR_ATTEMPTS = 4;

export class UpstreamClient {
  readonly #windowMs: number;

  constructor(
    private readonly options: UpstreamOptions,
    private readonly store: GatewayStore,
    private readonly metrics: GatewayMetrics,
    private readonly log: FastifyBaseLogger
  ) {
    this.#windowMs = 1_000 + (options.windowMarginMs ?? 100);
  }

  /**
   * One request, retried through 429s and server errors. `deadline` (epoch ms) bounds the wait
   * for a rate slot: past it, UpstreamUnavailableError. Redis errors pass through.
   */
  async send(
    purpose: Purpose,
    path: string,
    params: Readonly<Record<string, string>>,
    init: { body?: unknown; deadline?: number; signal?: AbortSignal } = {}
  ): Promise<UpstreamAnswer> {
    let serverErrors = 0;
    for (;;) {
      await this.#slot(purpose, init.deadline, init.signal);
      const answer = await this.#fetch(purpose, path, params, init.body);
      if (answer.status === 429) {
        this.metrics.upstream429s.inc();
        const quota = await this.store.strike(
          BACKOFF_BASE_MS,
          BACKOFF_MAX_MS,
          answer.retryAfterMs,
          this.options.quotaAfterMs ?? 60_000
        );
        if (quota) this.log.warn("upstream 429s persisted: the daily quota looks spent");
        continue;
      }
      if (answer.status === 0 || answer.status >= 500) {
        if (++serverErrors >= SERVER_ERROR_ATTEMPTS) {
          throw new UpstreamUnavailableError(`upstream answered ${answer.status || "nothing"}`);
        }
        const delay = BACKOFF_BASE_MS * 2 ** serverErrors * (0.5 + Math.random() / 2);
        if (Date.now() + delay > (init.deadline ?? Infinity)) {
          throw new UpstreamUnavailableError(`upstream answered ${answer.status || "nothing"}`);
        }
        await sleep(delay, init.signal);
        continue;
      }
      await this.store.clearStrikes();
      if (answer.status === 401) this.log.error("upstream refused the gateway's Geoapify key");
      return { status: answer.status, body: answer.body };
    }
  }

  async #slot(purpose: Purpose, deadline = Infinity, signal?: AbortSignal): Promise<void> {
    const member = randomBytes(8).toString("hex");
    const kind = purpose === "poll" ? "poll" : "submit";
    for (;;) {
      if (signal?.aborted) throw new UpstreamUnavailableError("stopped");
      const wait = await this.store.acquire(
        this.options.ratePerSecond,
        this.#windowMs,
        member,
        kind
      );
      if (wait === 0) return;
      if (Date.now() + wait > deadline) {
        throw new UpstreamUnavailableError("no upstream rate slot before the deadline");
      }
      // A little jitter so that replicas waiting for the same slot do not all ask at once.
      await sleep(wait + Math.random() * 20, signal);
    }
  }

  async #fetch(
    purpose: Purpose,
    path: string,
    params: Readonly<Record<string, string>>,
    body: unknown
  ): Promise<{ status: number; body: unknown; retryAfterMs: number }> {
    const url = new URL(path, this.options.baseUrl);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    url.searchParams.set("apiKey", this.options.apiKey);
    try {
      const response = await fetch(url, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
      });
      const text = await response.text();
      this.metrics.upstreamRequests.inc({ purpose, status: String(response.status) });
      const retryAfter = Number(response.headers.get("retry-after"));
      return {
        status: response.status,
        body: parseOrText(text),
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 0,
      };
    } catch {
      // The URL carries the company key: never log the error's request.
      this.metrics.upstreamRequests.inc({ purpose, status: "0" });
      return { status: 0, body: undefined, retryAfterMs: 0 };
    }
  }
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
