// Every request to one endpoint with one API key passes through one RequestScheduler: it keeps
// the plan's rate, treats a 429 as "slow down", and decides when the daily quota is really spent.
//
// Pacing. Geoapify counts requests where they arrive, which is some time after the scheduler
// lets them go: a large POST, a slow network or a stalled event loop (the bench saw a fetch
// granted at 3747 ms reach the server at 3867 ms) can bunch requests granted evenly. So a request
// counts in the scheduler's window until its answer, not from its grant: a new request is granted
// at t only while fewer than `rate` requests have (their answer time, or now while they have
// none) > t − window, with window = 1000 ms + `windowMarginMs`. That bounds arrivals: a request
// arrives between its grant and its answer, so if rate + 1 arrivals fell within 1000 ms, then when
// the last of them to be granted was granted (at t, before its own arrival), each of the others
// was pending or had been answered after its arrival, which was later than that last arrival
// − 1000 ms ≥ t − 1000 ms: all `rate` of them counted, and it would not have been granted. The
// margin covers how the server rounds the edges of its second. Consecutive grants are also kept
// window/rate apart, which spreads them evenly (no bursts) at no cost to the bound. Requests other
// runtimes of the origin announce on the shared channel (shared-rate.ts) count from the
// announcement for one window, since their answers are not seen here.
//
// Order. Requests that a caller waits on to start (submits, single lookups, key checks) go first;
// polls share what is left first come, first served, and each job has at most one poll queued,
// so many jobs are polled in turn.
//
// 429. Every 429 means "slow down": the rate halves (down to `minRatePerSecond`) and everything
// pauses for Retry-After when it can be read, else for an exponentially growing, jittered wait of
// at most `rateLimitMaxDelayMs`; then a single request goes out as a trial, and only its success
// lets the rest follow. A trial's 429 lengthens the pause but does not halve the rate again: the
// burst is already being handled, and halving per trial left the client crawling at the minimum
// rate long after an outage. The short cap bounds how long after an outage ends the next trial
// finds out (the bench saw 27–36 s with waits growing to 30 s), and a minute of 429s still costs
// about a dozen requests (see retry.ts). After a success the rate recovers by a quarter of the
// plan's rate, so it is back within four successes. 429s arriving for requests sent before the
// pause belong to the same burst and do not escalate it.
//
// Quota. Only when 429s persist with no other answer for `quotaAfterMs` does the scheduler
// conclude that the quota is spent: every request a caller waits on is refused with "quota" and
// new ones fail at once, while a single probe goes out every `probeIntervalMs` (doubling). A
// request that arrives while the probe is out waits for its outcome; a probe that succeeds
// resumes everything. Background requests (polls of jobs nobody waits on) are never refused:
// they wait, and serve as probes.

import { GeoapifyError } from "./errors";
import { budgetRefusal } from "./refusals";
import { backoffDelayMs, retryAfterDelayMs, type BackoffPolicy } from "./retry";
import type { RateChannel } from "./shared-rate";

export type RequestKind = "submit" | "poll" | "single" | "check";

export type SchedulerPhase = "ok" | "backing-off" | "quota";

/** An HTTP answer, whatever its status. */
export interface Exchange {
  status: number;
  headers: Headers;
  body: string;
}

export type SchedulerEvent =
  /** Every HTTP exchange; `status` is absent when no answer came. */
  | { type: "request"; request: RequestKind; status?: number }
  | { type: "rate-limited"; waitMs: number; retryAfter: boolean; ratePerSecond: number }
  | { type: "quota-suspected"; probeInMs: number }
  | { type: "resumed" }
  | { type: "rate"; ratePerSecond: number };

export interface Timers {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

export interface SchedulerOptions {
  ratePerSecond: number;
  minRatePerSecond: number;
  windowMarginMs: number;
  /** The longest growing 429 back-off before the quota phase (Retry-After may ask for more). */
  rateLimitMaxDelayMs: number;
  quotaAfterMs: number;
  probeIntervalMs: number;
  maxProbeIntervalMs: number;
  backoff: BackoffPolicy;
  now: () => number;
  timers: Timers;
  onEvent: (event: SchedulerEvent) => void;
  /** Called on entering the quota phase and on every failed probe. */
  onQuota: () => void;
}

export interface ScheduledRequest {
  kind: RequestKind;
  /** A caller waits on it: refused with "quota" rather than kept waiting through the quota. */
  caller: boolean;
  /** Aborts it while it waits; once sent, a request is no longer the caller's to abort. */
  signal?: AbortSignal;
  /** One HTTP exchange; `undefined` when no answer came. */
  exchange: () => Promise<Exchange | undefined>;
}

interface Waiter {
  request: ScheduledRequest;
  grant: (ticket: Ticket) => void;
  refuse: (error: GeoapifyError) => void;
}

/** A request in the rolling window: own ones until answered, announced ones from announcement. */
interface Counted {
  /** When it stops being pending; undefined while an own request awaits its answer. */
  endedAt?: number;
}

interface Ticket {
  sentAt: number;
  counted: Counted;
  /** The one request let out after a pause or as a quota probe. */
  trial: boolean;
}

export class RequestScheduler {
  readonly #options: SchedulerOptions;
  readonly #urgent: Waiter[] = [];
  readonly #polls: Waiter[] = [];
  /** Requests (own and announced) pending or ended within the last window. */
  #counted: Counted[] = [];
  #lastOwnSendAt = -Infinity;
  #rate: number;
  #phase: SchedulerPhase = "ok";
  /** While not "ok": when the next trial or probe may go out. */
  #resumeAt = 0;
  #pausedAt = -Infinity;
  #trialOut = false;
  #streakStartedAt: number | undefined;
  #streakLength = 0;
  #probeIntervalMs: number;
  #timer: unknown;
  #channel: RateChannel | undefined;
  #closed = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#rate = options.ratePerSecond;
    this.#probeIntervalMs = options.probeIntervalMs;
  }

  get state(): {
    phase: SchedulerPhase;
    ratePerSecond: number;
    resumeAt?: number;
    queuedRequests: number;
  } {
    return {
      phase: this.#phase,
      ratePerSecond: this.#rate,
      resumeAt: this.#phase === "ok" ? undefined : this.#resumeAt,
      queuedRequests: this.#urgent.length + this.#polls.length,
    };
  }

  /** Whether a caller's new request would be refused at once (quota, no probe due or out). */
  refusesCallers(): boolean {
    return this.#phase === "quota" && !this.#trialOut && this.#options.now() < this.#resumeAt;
  }

  /** Counts other runtimes' requests, announced on `channel`, and announces this one's. */
  share(channel: RateChannel): void {
    if (this.#closed) {
      channel.close();
      return;
    }
    this.#channel = channel;
    channel.onAnnounce(() => this.#counted.push({ endedAt: this.#options.now() }));
  }

  /**
   * Sends `request` when the rate allows, repeating it after every 429 until another answer
   * comes. Resolves with that answer (`undefined`: none came); rejects with "quota", "aborted" or
   * a gateway's "budget".
   */
  async send(request: ScheduledRequest): Promise<Exchange | undefined> {
    for (let retry = false; ; retry = true) {
      const ticket = await this.#acquire(request, retry);
      let exchange: Exchange | undefined;
      try {
        exchange = await request.exchange();
      } catch (error) {
        ticket.counted.endedAt = this.#options.now();
        this.#settleTrial(ticket);
        this.#pump();
        throw error;
      }
      ticket.counted.endedAt = this.#options.now();
      this.#options.onEvent({ type: "request", request: request.kind, status: exchange?.status });
      // A team gateway's budget refusal is a 429 that says nothing about the rate: read first.
      const refusal = exchange && budgetRefusal(exchange);
      if (refusal) {
        this.#onAnswered(ticket);
        throw refusal;
      }
      if (exchange?.status === 429) {
        this.#onRateLimited(exchange, ticket);
        continue;
      }
      if (exchange === undefined) {
        // No answer says nothing about the limit: let another request be the trial.
        this.#settleTrial(ticket);
        this.#pump();
      } else {
        this.#onAnswered(ticket);
      }
      return exchange;
    }
  }

  /** Refuses every waiting request with "aborted" and stops the timer and the channel. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
    this.#channel?.close();
    for (const waiter of this.#urgent.splice(0).concat(this.#polls.splice(0))) {
      waiter.refuse(new GeoapifyError("aborted", undefined, "client closed"));
    }
  }

  #acquire(request: ScheduledRequest, retry: boolean): Promise<Ticket> {
    return new Promise((resolve, reject) => {
      const { signal } = request;
      if (this.#closed) {
        return reject(new GeoapifyError("aborted", undefined, "client closed"));
      }
      if (signal?.aborted) {
        return reject(new GeoapifyError("aborted", undefined, "aborted before sending"));
      }
      if (request.caller && this.refusesCallers()) {
        return reject(new GeoapifyError("quota", 429, "quota concluded; waiting for a probe"));
      }
      const onAbort = () => {
        this.#remove(waiter);
        reject(new GeoapifyError("aborted", undefined, "aborted before sending"));
      };
      const waiter: Waiter = {
        request,
        grant: (ticket) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(ticket);
        },
        refuse: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const queue = request.kind === "poll" ? this.#polls : this.#urgent;
      // A request repeated after a 429 keeps its place at the head of its queue.
      if (retry) queue.unshift(waiter);
      else queue.push(waiter);
      this.#pump();
    });
  }

  #remove(waiter: Waiter): void {
    for (const queue of [this.#urgent, this.#polls]) {
      const index = queue.indexOf(waiter);
      if (index >= 0) queue.splice(index, 1);
    }
  }

  /** Grants as many waiting requests as the phase and the rate allow, then sets the timer. */
  #pump(): void {
    this.#clearTimer();
    while (!this.#closed && this.#urgent.length + this.#polls.length > 0) {
      const now = this.#options.now();
      let trial = false;
      if (this.#phase !== "ok") {
        if (this.#trialOut) return;
        if (now < this.#resumeAt) return this.#wake(this.#resumeAt - now);
        trial = true;
      }
      const waitMs = this.#rateWaitMs(now);
      // Infinity: the window is full of pending requests; their answers pump again.
      if (waitMs === Infinity) return;
      if (waitMs > 0) return this.#wake(waitMs);
      const waiter = (this.#urgent.shift() ?? this.#polls.shift()) as Waiter;
      const counted: Counted = {};
      this.#counted.push(counted);
      this.#lastOwnSendAt = now;
      this.#trialOut = trial;
      this.#channel?.announce();
      waiter.grant({ sentAt: now, counted, trial });
    }
  }

  /** How long until one more request fits the window and the spacing (Infinity: an answer). */
  #rateWaitMs(now: number): number {
    const windowMs = 1000 + this.#options.windowMarginMs;
    this.#counted = this.#counted.filter(
      ({ endedAt }) => !(endedAt !== undefined && endedAt <= now - windowMs)
    );
    let waitMs = this.#lastOwnSendAt + windowMs / this.#rate - now;
    const limit = Math.max(1, Math.floor(this.#rate));
    if (this.#counted.length >= limit) {
      // The request that must leave the window first for one more to fit: pending ones last.
      const ends = this.#counted.map(({ endedAt }) => endedAt ?? Infinity).sort((a, b) => a - b);
      waitMs = Math.max(waitMs, ends[this.#counted.length - limit] + windowMs - now);
    }
    return Math.max(0, Math.ceil(waitMs));
  }

  #onRateLimited(exchange: Exchange, ticket: Ticket): void {
    const now = this.#options.now();
    this.#settleTrial(ticket);
    if (!ticket.trial && ticket.sentAt < this.#pausedAt) {
      // Sent before the pause began: part of the burst already being handled.
      return this.#pump();
    }
    this.#streakStartedAt ??= ticket.sentAt;
    this.#streakLength++;
    this.#pausedAt = now;
    if (!ticket.trial) this.#setRate(Math.max(this.#options.minRatePerSecond, this.#rate / 2));
    const { backoff, quotaAfterMs, maxProbeIntervalMs, rateLimitMaxDelayMs } = this.#options;
    if (this.#phase === "quota") {
      this.#probeIntervalMs = Math.min(maxProbeIntervalMs, this.#probeIntervalMs * 2);
      this.#enterQuota(now);
    } else if (now - this.#streakStartedAt >= quotaAfterMs) {
      this.#phase = "quota";
      this.#enterQuota(now);
      this.#options.onEvent({ type: "quota-suspected", probeInMs: this.#probeIntervalMs });
    } else {
      const retryAfterMs = retryAfterDelayMs(exchange.headers, backoff.maxDelayMs, now);
      // Retry-After is honoured as a minimum; the backoff still grows so that a server
      // answering "Retry-After: 1" to a spent quota cannot draw a request every second.
      const growingMs = backoffDelayMs(this.#streakLength, {
        ...backoff,
        maxDelayMs: Math.min(backoff.maxDelayMs, rateLimitMaxDelayMs),
      });
      const waitMs = Math.max(retryAfterMs ?? 0, growingMs);
      this.#phase = "backing-off";
      this.#resumeAt = now + waitMs;
      this.#options.onEvent({
        type: "rate-limited",
        waitMs,
        retryAfter: retryAfterMs !== undefined,
        ratePerSecond: this.#rate,
      });
    }
    this.#pump();
  }

  #enterQuota(now: number): void {
    this.#resumeAt = now + this.#probeIntervalMs;
    for (const queue of [this.#urgent, this.#polls]) {
      for (const waiter of queue.filter((candidate) => candidate.request.caller)) {
        this.#remove(waiter);
        waiter.refuse(new GeoapifyError("quota", 429, "429s persisted through backing off"));
      }
    }
    this.#options.onQuota();
  }

  #onAnswered(ticket: Ticket): void {
    this.#settleTrial(ticket);
    if (ticket.trial || ticket.sentAt >= this.#pausedAt) {
      this.#streakStartedAt = undefined;
      this.#streakLength = 0;
      if (this.#phase === "quota") {
        this.#probeIntervalMs = this.#options.probeIntervalMs;
        this.#options.onEvent({ type: "resumed" });
      }
      this.#phase = "ok";
    }
    const { ratePerSecond } = this.#options;
    this.#setRate(Math.min(ratePerSecond, this.#rate + ratePerSecond / 4));
    this.#pump();
  }

  #settleTrial(ticket: Ticket): void {
    if (ticket.trial) this.#trialOut = false;
  }

  #setRate(ratePerSecond: number): void {
    if (ratePerSecond !== this.#rate) {
      this.#rate = ratePerSecond;
      this.#options.onEvent({ type: "rate", ratePerSecond });
    }
  }

  #wake(ms: number): void {
    this.#timer = this.#options.timers.setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      this.#options.timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
