// Geoapify's batch geocoding for one endpoint and one API key: run() splits its inputs between
// jobs already running (attach: nothing is paid twice) and one new job, and hands back one result
// per input in input order. Every request passes through the key's RequestScheduler; every
// accepted job is stored and collected, whoever still waits for it. The client knows nothing of
// Excel or of batching policy, and its errors are typed, without user wording or the key.

import type { Place } from "../places/place";
import { GeoapifyError } from "./errors";
import type { ClientState, GeoapifyClientOptions, RunOptions } from "./client-options";
import { Job, type JobContext, type JobResult, type JobSpec } from "./job";
import { JOB_KINDS, type JobKind } from "./job-kinds";
import { hashApiKey, memoryJobStore, takeLease, type LockManagerLike } from "./job-store";
import { parseJson, readSingleResult } from "./parse";
import { JobTiming } from "./poll-timing";
import { RequestScheduler, type Timers } from "./scheduler";
import { openRateChannel } from "./shared-rate";
import { Transport } from "./transport";
import { MAX_BATCH_SIZE } from "./types";

export type { ClientEvent } from "./events";
export type { JobKind } from "./job-kinds";
export type { JobResult, JobSpec } from "./job";
export { hashApiKey, openJobStore, memoryJobStore } from "./job-store";
export type { JobStore, StoredJob } from "./job-store";
export type { ClientState, GeoapifyClientOptions, RunOptions } from "./client-options";
export type { Credentials } from "./transport";

/** Geoapify keeps a job's results 24 hours. */
const RETENTION_MS = 24 * 60 * 60_000;
/** A batch input costs half a credit, times the job's `priority` factor when one is set. */
const CREDITS_PER_BATCH_INPUT = 0.5;
/** A single lookup costs a whole credit. */
const CREDITS_PER_SINGLE_LOOKUP = 1;

const globalTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class GeoapifyClient {
  readonly #baseUrl: string;
  readonly #keyHash: Promise<string>;
  readonly #scheduler: RequestScheduler;
  readonly #transport: Transport;
  readonly #context: Omit<JobContext<Job>, "creditsPerInput">;
  readonly #admit: GeoapifyClientOptions["admit"];
  readonly #random: () => number;
  readonly #lifetime = new AbortController();
  /** Jobs submitted or accepted and not yet ended, for attaching. */
  readonly #running = new Set<Job>();

  constructor(options: GeoapifyClientOptions) {
    const onEvent = options.onEvent ?? (() => {});
    const timers = options.timers ?? globalTimers;
    const now = options.now ?? (() => Date.now());
    this.#random = options.random ?? Math.random;
    this.#admit = options.admit;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    const backoff = {
      baseDelayMs: options.retryBaseDelayMs ?? 1_000,
      maxDelayMs: options.maxRetryDelayMs ?? 30_000,
      random: this.#random,
    };
    this.#scheduler = new RequestScheduler({
      ratePerSecond: options.ratePerSecond ?? 5,
      minRatePerSecond: options.minRatePerSecond ?? 0.5,
      windowMarginMs: options.windowMarginMs ?? 100,
      rateLimitMaxDelayMs: 8_000,
      quotaAfterMs: options.quotaAfterMs ?? 60_000,
      probeIntervalMs: options.probeIntervalMs ?? 300_000,
      maxProbeIntervalMs: options.maxProbeIntervalMs ?? 3_600_000,
      backoff,
      now,
      timers,
      onEvent,
      onQuota: () => {
        const error = new GeoapifyError("quota", 429, "429s persisted through backing off");
        for (const job of this.#running) job.rejectWaiters(error);
      },
    });
    this.#transport = new Transport({
      baseUrl: this.#baseUrl,
      credentials: options.credentials ?? (async () => ({ apiKey: options.apiKey })),
      scheduler: this.#scheduler,
      fetch: options.fetch,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      maxAttempts: options.maxAttempts ?? 4,
      backoff,
      outageLimitMs: options.waitLimitMs ?? 120_000,
      now,
      timers,
      lifetime: this.#lifetime.signal,
      onRetry: (retry) => onEvent({ type: "retried", ...retry }),
    });
    this.#keyHash = options.keyHash ?? hashApiKey(options.account ?? options.apiKey);
    const openChannel = options.rateChannel ?? openRateChannel;
    void this.#keyHash.then((hash) => {
      const channel = openChannel(this.#baseUrl, hash);
      if (channel) this.#scheduler.share(channel);
    });
    this.#context = {
      baseUrl: this.#baseUrl,
      keyHash: this.#keyHash,
      transport: this.#transport,
      timing: new JobTiming(options.ratePerSecond ?? 5),
      store: options.jobStore ?? memoryJobStore(),
      locks:
        options.locks ??
        (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks,
      now,
      timers,
      waitLimitMs: options.waitLimitMs ?? 120_000,
      retentionMs: RETENTION_MS,
      emit: onEvent,
      deliver: options.onResults ?? (() => {}),
      ended: (job) => this.#running.delete(job),
      learned: () => this.#running.forEach((job) => job.retime()),
      rateIdle: () => {
        const { phase, queuedRequests } = this.#scheduler.state;
        return phase === "ok" && queuedRequests === 0;
      },
    };
  }

  get state(): ClientState {
    return { ...this.#scheduler.state, jobsInFlight: this.#running.size };
  }

  /**
   * One result per input, in input order: a Place, null (not found), or a GeoapifyError for
   * that input alone ("budget", "malformed", or a failure of one of several jobs it spans).
   * Rejects only for whole-call failures: auth, quota, still-running, aborted before submit,
   * network on submit… Aborting after the submit ends the wait, not the job.
   */
  async run(job: JobSpec, options: RunOptions = {}): Promise<JobResult[]> {
    const { inputs } = job;
    if (inputs.length === 0 || inputs.length > MAX_BATCH_SIZE) {
      throw new RangeError(`a job takes 1 to ${MAX_BATCH_SIZE} inputs, not ${inputs.length}`);
    }
    this.#throwIfRefused(options.signal);
    return this.#runParts(job, options.signal, false, options.onSent, options.singlesUpTo);
  }

  /** Collects the stored jobs of this endpoint and key; drops those another key paid for. */
  async resume(): Promise<void> {
    const { store, now } = this.#context;
    const [stored, keyHash] = await Promise.all([store.list(), this.#keyHash]);
    const running = new Set([...this.#running].map((job) => job.id));
    for (const job of stored) {
      if (job.baseUrl !== this.#baseUrl || running.has(job.id)) continue;
      if (job.keyHash !== keyHash || now() - job.submittedAt >= RETENTION_MS) {
        await store.delete(job.id).catch(() => {});
        continue;
      }
      const release = await takeLease(this.#context.locks, job.id);
      if (!release) continue;
      if (this.#lifetime.signal.aborted) return release();
      this.#running.add(Job.resume(this.#jobContext(job.params), job, release));
    }
  }

  /**
   * Whether Geoapify accepts the key, asked with a poll of a job id that cannot exist: 404 means
   * the key passed, 401/403 that it was refused; a 429 or no answer leaves it unknown.
   */
  async checkKey(): Promise<"valid" | "rejected" | "unknown"> {
    const id = Array.from({ length: 32 }, () => Math.floor(this.#random() * 16).toString(16));
    try {
      const exchange = await this.#scheduler.send({
        kind: "check",
        caller: true,
        exchange: () =>
          this.#transport.exchange({
            kind: "check",
            method: "get",
            path: JOB_KINDS.search.path,
            params: { id: id.join("") },
            caller: true,
          }),
      });
      if (exchange?.status === 404) return "valid";
      if (exchange?.status === 401 || exchange?.status === 403) return "rejected";
      return "unknown";
    } catch {
      return "unknown";
    }
  }

  /** One input with a single, full-price request (`/v1/geocode/search|reverse?format=json`). */
  async single(
    kind: JobKind,
    params: Readonly<Record<string, string>>,
    input: string,
    options: { signal?: AbortSignal } = {}
  ): Promise<Place | null> {
    this.#throwIfRefused(options.signal);
    const [lat, lon] = input.split(",");
    const query: Record<string, string> = kind === "search" ? { text: input } : { lat, lon };
    const answer = await this.#transport.send({
      kind: "single",
      method: "get",
      path: `/v1/geocode/${kind}`,
      params: { ...params, ...query, format: "json" },
      caller: true,
      signal: options.signal,
    });
    const place = readSingleResult(parseJson(answer.body, answer.status), answer.status);
    if (place instanceof GeoapifyError) throw place;
    return place;
  }

  /** Stops timers and polls, settles every waiter "aborted" and closes the rate channel. Jobs
   * in flight stay stored, for resume() on the next load. */
  close(): void {
    this.#lifetime.abort();
    this.#scheduler.close();
    for (const job of [...this.#running]) job.stop();
    this.#running.clear();
  }

  #throwIfRefused(signal: AbortSignal | undefined): void {
    if (this.#lifetime.signal.aborted)
      throw new GeoapifyError("aborted", undefined, "client closed");
    if (signal?.aborted) throw new GeoapifyError("aborted", undefined, "aborted before sending");
    if (this.#scheduler.refusesCallers()) {
      throw new GeoapifyError("quota", 429, "quota concluded; waiting for a probe");
    }
  }

  /** Attaches what running jobs already cover, submits the rest (within the budget) once. */
  async #runParts(
    spec: JobSpec,
    signal: AbortSignal | undefined,
    resubmission: boolean,
    onSent: () => void = () => {},
    singlesUpTo = 0
  ): Promise<JobResult[]> {
    const { inputKey } = JOB_KINDS[spec.kind];
    const results: JobResult[] = new Array(spec.inputs.length);
    const attached = new Map<Job, Array<[at: number, position: number]>>();
    const fresh = new Map<string, number[]>();
    spec.inputs.forEach((input, at) => {
      const key = inputKey(input);
      const owner = this.#runningJobFor(spec, key);
      if (owner) {
        attached.set(owner, [
          ...(attached.get(owner) ?? []),
          [at, owner.positionOf(key) as number],
        ]);
      } else {
        fresh.set(key, [...(fresh.get(key) ?? []), at]);
      }
    });
    const parts: Array<{ at: number[]; results: Promise<JobResult[]> }> = [];
    for (const [job, pairs] of attached) {
      const positions = pairs.map(([, position]) => position);
      parts.push({ at: pairs.map(([at]) => at), results: this.#await(job, positions, signal) });
    }
    const groups = [...fresh.values()];
    const asSingles = groups.length <= singlesUpTo;
    const creditsPerInput = asSingles ? CREDITS_PER_SINGLE_LOOKUP : creditsFor(spec.params);
    const admitted = Math.max(
      0,
      Math.min(groups.length, this.#admit?.(groups.length, creditsPerInput) ?? groups.length)
    );
    for (const group of groups.slice(admitted)) {
      for (const at of group) results[at] = new GeoapifyError("budget", undefined, "over budget");
    }
    if (admitted > 0) {
      const inputs = groups.slice(0, admitted).map((group) => spec.inputs[group[0]]);
      const wanted = groups.slice(0, admitted);
      let results: Promise<JobResult[]>;
      if (asSingles) {
        results = this.#singles({ ...spec, inputs }, signal);
        void results.then(onSent, onSent);
      } else {
        const job = Job.submit(this.#jobContext(spec.params), { ...spec, inputs }, resubmission);
        this.#running.add(job);
        void job.sent.then(onSent);
        results = this.#await(
          job,
          inputs.map((_, position) => position),
          signal
        );
      }
      parts.push({
        at: wanted.flat(),
        results: results.then((found) =>
          wanted.flatMap((group, position) => group.map(() => found[position]))
        ),
      });
    }
    if (admitted === 0) onSent();
    const settled = await Promise.allSettled(parts.map((part) => part.results));
    const failures = settled.flatMap((outcome) =>
      outcome.status === "rejected" ? [outcome.reason] : []
    );
    if (parts.length > 0 && failures.length === parts.length) throw failures[0];
    settled.forEach((outcome, index) => {
      parts[index].at.forEach((at, slot) => {
        results[at] =
          outcome.status === "fulfilled" ? outcome.value[slot] : asError(outcome.reason);
      });
    });
    return results;
  }

  /**
   * Each input by a single lookup, all at once (the scheduler paces them): delivered and counted
   * as a job's results are. Rejects only when every lookup failed, with the first failure.
   */
  async #singles(spec: JobSpec, signal: AbortSignal | undefined): Promise<JobResult[]> {
    const { kind, params, inputs, tag } = spec;
    const credits = inputs.length * CREDITS_PER_SINGLE_LOOKUP;
    this.#context.emit({ type: "submitted", kind, size: inputs.length, credits, tag });
    const settled = await Promise.allSettled(
      inputs.map((input) => this.single(kind, params, input, { signal }))
    );
    if (settled.every((outcome) => outcome.status === "rejected")) {
      throw (settled[0] as PromiseRejectedResult).reason;
    }
    const results = settled.map((outcome) =>
      outcome.status === "fulfilled" ? outcome.value : asError(outcome.reason)
    );
    this.#context.deliver(spec, results);
    return results;
  }

  /**
   * A job's results at `positions`. Submitted again, once: the inputs of an expired job, and
   * those of a submit whose answer arrived but could not be read (no job id to collect), since
   * the user's only other way out, a recalculation, would submit the same inputs anyway.
   */
  async #await(
    job: Job,
    positions: number[],
    signal: AbortSignal | undefined
  ): Promise<JobResult[]> {
    try {
      return await job.wait(positions, signal);
    } catch (error) {
      if (!(error instanceof GeoapifyError) || job.resubmission || !worthResubmitting(job, error)) {
        throw error;
      }
      const inputs = positions.map((position) => job.spec.inputs[position]);
      return this.#runParts({ ...job.spec, inputs }, signal, true);
    }
  }

  #runningJobFor(spec: JobSpec, key: string): Job | undefined {
    for (const job of this.#running) {
      if (
        job.spec.kind === spec.kind &&
        sameParams(job.spec.params, spec.params) &&
        job.positionOf(key) !== undefined
      ) {
        return job;
      }
    }
    return undefined;
  }

  #jobContext(params: Readonly<Record<string, string>>): JobContext<Job> {
    return { ...this.#context, creditsPerInput: creditsFor(params) };
  }
}

/** An expired job, or a submit answered (2xx) with a body that named no job to collect. */
function worthResubmitting(job: Job, error: GeoapifyError): boolean {
  if (error.kind === "expired") return true;
  const answered = error.status !== undefined && error.status >= 200 && error.status < 300;
  return error.kind === "malformed" && answered && job.id === undefined;
}

function asError(reason: unknown): GeoapifyError {
  return reason instanceof GeoapifyError
    ? reason
    : new GeoapifyError("malformed", undefined, "unexpected failure");
}

function creditsFor(params: Readonly<Record<string, string>>): number {
  const priority = Number(params.priority);
  const factor = params.priority !== undefined && priority > 0 && priority <= 1 ? priority : 1;
  return CREDITS_PER_BATCH_INPUT * factor;
}

function sameParams(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
