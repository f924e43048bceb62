// One batch job, from its submit to its results. A job belongs to the client, not to its callers:
// once Geoapify has accepted it (and so billed it) it is polled until its results are collected
// or Geoapify forgets it (24 h), whoever still waits. Callers wait on positions of its inputs,
// each for at most the wait limit counted from when the job was accepted (or from when the
// caller attached, if later); a caller that stops waiting leaves the job running.

import { asGeoapifyError, GeoapifyError } from "./errors";
import type { JobContext, JobResult, JobSpec } from "./job-context";
import { JOB_KINDS } from "./job-kinds";
import { takeLease, type StoredJob } from "./job-store";
import { parseJson, readJobId } from "./parse";
import type { PlannedPoll } from "./poll-timing";

export type { JobContext, JobResult, JobSpec } from "./job-context";

/** Polls in a row whose answer cannot be read before the callers are told so. A poll is free and
 * a cut-off answer is usually a passing fault, so it is asked again before anyone is failed. */
export const UNREADABLE_POLLS_BEFORE_FAILING = 3;

interface Waiter {
  positions: readonly number[];
  resolve: (results: JobResult[]) => void;
  reject: (error: GeoapifyError) => void;
  timer?: unknown;
  detach: () => void;
}

export class Job {
  readonly spec: JobSpec;
  /** A resubmission of an expired job: a second 404 is final. */
  readonly resubmission: boolean;
  #id: string | undefined;
  #acceptedAt: number | undefined;
  readonly #context: JobContext<Job>;
  readonly #positions = new Map<string, number>();
  readonly #waiters = new Set<Waiter>();
  /** Aborts the submit while it waits, once every caller has left. */
  readonly #submitControl = new AbortController();
  readonly #startedAt: number;
  #resumed = false;
  #polls = 0;
  #requests = 0;
  #pendingAgeMs: number | undefined;
  #lastPollAt = 0;
  #nextPollAt = Infinity;
  /** Whether the poll scheduled is an early turn (see poll-timing.ts), and how many were taken. */
  #nextPollEarly = false;
  #earlyTurns = 0;
  #polling = false;
  #pollTimer: unknown;
  #lastFailure: GeoapifyError | undefined;
  /** Polls in a row whose answer could not be read. */
  #unreadablePolls = 0;
  #lease: Promise<(() => void) | undefined> | undefined;
  #ended = false;
  #markSent: () => void = () => {};
  /** Settles once the submit is over (accepted, answered at once, or failed): from then on the
   * job no longer waits to be sent. */
  readonly sent = new Promise<void>((resolve) => (this.#markSent = resolve));

  private constructor(context: JobContext<Job>, spec: JobSpec, resubmission: boolean) {
    this.#context = context;
    this.spec = spec;
    this.resubmission = resubmission;
    this.#startedAt = context.now();
    const { inputKey } = JOB_KINDS[spec.kind];
    spec.inputs.forEach((input, index) => this.#positions.set(inputKey(input), index));
  }

  static submit(context: JobContext<Job>, spec: JobSpec, resubmission: boolean): Job {
    const job = new Job(context, spec, resubmission);
    void job.#submit();
    return job;
  }

  /** Collects a stored job whose lease this runtime holds. */
  static resume(context: JobContext<Job>, stored: StoredJob, release: () => void): Job {
    const job = new Job(context, stored, false);
    job.#resumed = true;
    job.#lease = Promise.resolve(release);
    job.#accept(stored.id, stored.submittedAt);
    job.#markSent();
    return job;
  }

  get id(): string | undefined {
    return this.#id;
  }

  /** The position of an input (by its match key) in this job, if it is one of its inputs. */
  positionOf(key: string): number | undefined {
    return this.#positions.get(key);
  }

  /** The results at `positions`, in that order; rejects with the job's or the wait's failure. */
  wait(positions: readonly number[], signal?: AbortSignal): Promise<JobResult[]> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#detach(waiter);
        reject(new GeoapifyError("aborted", undefined, "the caller stopped waiting"));
      };
      const waiter: Waiter = {
        positions,
        resolve,
        reject,
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      this.#waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) return onAbort();
      if (this.#acceptedAt !== undefined) {
        this.#startWaitLimit(waiter);
        this.#pollSoonerForCallers();
      }
    });
  }

  /** Settles every caller with `error` (the quota); the job itself goes on. */
  rejectWaiters(error: GeoapifyError): void {
    for (const waiter of [...this.#waiters]) {
      this.#detach(waiter);
      waiter.reject(error);
    }
  }

  /** The client closed: no more polls, callers settled "aborted", the lease released. The job
   * stays in the store, to be collected after the next load. */
  stop(): void {
    this.#ended = true;
    this.#submitControl.abort();
    this.#context.timers.clearTimeout(this.#pollTimer);
    this.rejectWaiters(new GeoapifyError("aborted", undefined, "client closed"));
    void this.#lease?.then((release) => release?.());
  }

  async #submit(): Promise<void> {
    const { transport, now, emit, creditsPerInput } = this.#context;
    const kind = JOB_KINDS[this.spec.kind];
    try {
      const answer = await transport.send({
        kind: "submit",
        method: "post",
        path: kind.path,
        params: this.spec.params,
        json: kind.body(this.spec.inputs),
        caller: true,
        signal: this.#submitControl.signal,
      });
      this.#requests += answer.requests;
      const json = parseJson(answer.body, answer.status);
      const credits = this.spec.inputs.length * creditsPerInput;
      if (answer.status === 200) {
        emit({
          type: "submitted",
          kind: this.spec.kind,
          size: this.spec.inputs.length,
          credits,
          tag: this.spec.tag,
        });
        return this.#collected(kind.match(json, this.spec.inputs, 200));
      }
      if (answer.status !== 202) {
        throw new GeoapifyError("malformed", answer.status, "unexpected submit status");
      }
      const id = readJobId(json, answer.status);
      emit({
        type: "submitted",
        jobId: id,
        kind: this.spec.kind,
        size: this.spec.inputs.length,
        credits,
        tag: this.spec.tag,
      });
      this.#lease = takeLease(this.#context.locks, id);
      this.#accept(id, now());
      void this.#persist();
    } catch (error) {
      this.#fail(asGeoapifyError(error));
    } finally {
      this.#markSent();
    }
  }

  #accept(id: string, acceptedAt: number): void {
    this.#id = id;
    this.#acceptedAt = acceptedAt;
    this.#lastPollAt = acceptedAt;
    for (const waiter of this.#waiters) this.#startWaitLimit(waiter);
    this.#planPoll();
  }

  /** Plans the first poll, or (`after`) the one after an early turn: see poll-timing.ts. */
  #planPoll(after?: number): void {
    const { timing } = this.#context;
    const size = this.spec.inputs.length;
    this.#schedulePoll(timing.planPoll(this.#acceptedAt as number, size, this.#earlyTurns, after));
  }

  /** An early turn: polls if no other request waits for the rate, else gives the turn up. */
  #earlyTurn(): void {
    this.#earlyTurns++;
    if (this.#context.rateIdle()) return void this.#poll(true);
    this.#planPoll(this.#context.now());
  }

  async #persist(): Promise<void> {
    const { store, baseUrl, keyHash } = this.#context;
    const { kind, params, inputs } = this.spec;
    try {
      await store.put({
        id: this.#id as string,
        baseUrl,
        kind,
        params,
        inputs,
        keyHash: await keyHash,
        submittedAt: this.#acceptedAt as number,
        size: inputs.length,
      });
      // Collected before the write landed: the write must not outlive the job.
      if (this.#ended) await store.delete(this.#id as string);
    } catch {
      // Without storage the job is still collected while this page lives.
    }
  }

  #schedulePoll({ at, early }: PlannedPoll): void {
    const { timers, now, retentionMs } = this.#context;
    if (at > (this.#acceptedAt as number) + retentionMs) {
      return this.#fail(new GeoapifyError("expired", undefined, "not collected within 24 h"));
    }
    timers.clearTimeout(this.#pollTimer);
    this.#nextPollAt = at;
    this.#nextPollEarly = early;
    const fire = early ? () => this.#earlyTurn() : () => void this.#poll(false);
    this.#pollTimer = timers.setTimeout(fire, Math.max(0, at - now()));
  }

  /** Moves a job not yet polled to the time `timing` now predicts for it. */
  retime(): void {
    const unpolled = this.#polls === 0 && this.#lastFailure === undefined && !this.#polling;
    if (this.#acceptedAt === undefined || this.#ended || !unpolled) return;
    this.#planPoll();
  }

  /** A caller attached to a job polled at the background pace: poll at the caller's pace. */
  #pollSoonerForCallers(): void {
    if (this.#polling || this.#ended) return;
    const size = this.spec.inputs.length;
    const ageMs = this.#lastPollAt - (this.#acceptedAt as number);
    const soonest = this.#lastPollAt + this.#context.timing.nextGapMs(ageMs, size, false);
    if (soonest < this.#nextPollAt && !this.#nextPollEarly) {
      this.#schedulePoll({ at: soonest, early: false });
    }
  }

  async #poll(early: boolean): Promise<void> {
    const { transport, now, emit, timing } = this.#context;
    const kind = JOB_KINDS[this.spec.kind];
    const id = this.#id as string;
    const size = this.spec.inputs.length;
    this.#polling = true;
    try {
      const answer = await transport.send({
        kind: "poll",
        method: "get",
        path: kind.path,
        params: { id },
        caller: false,
      });
      const ageMs = now() - (this.#acceptedAt as number);
      this.#polls++;
      this.#requests += answer.requests;
      this.#lastFailure = undefined;
      emit({ type: "polled", jobId: id, status: answer.status, ageMs });
      if (answer.status === 200) {
        const results = kind.match(parseJson(answer.body, 200), this.spec.inputs, 200);
        this.#unreadablePolls = 0;
        if (!this.#resumed) {
          timing.observe(size, this.#pendingAgeMs, ageMs);
          this.#context.learned();
        }
        return this.#collected(results);
      }
      if (answer.status !== 202) {
        throw new GeoapifyError("malformed", answer.status, "unexpected poll status");
      }
      // "Pending" is in the status: a pending answer cut off is still read as pending.
      this.#unreadablePolls = 0;
      this.#pendingAgeMs = ageMs;
    } catch (error) {
      const failure = asGeoapifyError(error);
      if (this.#ended) return;
      if (failure.kind === "malformed") this.#unreadable(failure);
      else if (!["network", "server", "unavailable"].includes(failure.kind)) {
        return this.#fail(failure);
      }
      // A failed poll (an outage included) is no reason to abandon a paid job: try again later.
      this.#lastFailure = failure;
    } finally {
      this.#polling = false;
    }
    if (this.#ended) return;
    this.#lastPollAt = now();
    if (early && this.#lastFailure === undefined) return this.#planPoll(now());
    const ageMs = this.#lastPollAt - (this.#acceptedAt as number);
    const gapMs = timing.nextGapMs(ageMs, size, this.#waiters.size === 0);
    this.#schedulePoll({ at: this.#lastPollAt + gapMs, early: false });
  }

  /**
   * A poll answered with a body that cannot be read. The job stays running and stored: it is
   * polled again with the usual back-off, and after a few unreadable answers in a row its callers
   * are told, while the job goes on in the background, so the next recalculation attaches to it
   * (or collects it after a reload) instead of paying again.
   */
  #unreadable(failure: GeoapifyError): void {
    this.#unreadablePolls++;
    if (this.#unreadablePolls < UNREADABLE_POLLS_BEFORE_FAILING) return;
    this.#unreadablePolls = 0;
    this.rejectWaiters(failure);
  }

  #startWaitLimit(waiter: Waiter): void {
    const { timers, waitLimitMs, emit } = this.#context;
    waiter.timer = timers.setTimeout(() => {
      this.#detach(waiter);
      // A wait that ends while polls fail says so, rather than "still running".
      if (this.#lastFailure) return waiter.reject(this.#lastFailure);
      emit({
        type: "still-running",
        jobId: this.#id as string,
        size: this.spec.inputs.length,
        tag: this.spec.tag,
      });
      waiter.reject(new GeoapifyError("still-running", undefined, "wait limit passed"));
    }, waitLimitMs);
  }

  #detach(waiter: Waiter): void {
    this.#context.timers.clearTimeout(waiter.timer);
    waiter.detach();
    this.#waiters.delete(waiter);
    // Nobody wants a job that is not submitted yet: drop it while it still waits to be sent.
    if (this.#waiters.size === 0 && this.#acceptedAt === undefined) this.#submitControl.abort();
  }

  #collected(results: JobResult[]): void {
    const { now, emit, deliver } = this.#context;
    emit({
      type: "job-done",
      jobId: this.#id,
      kind: this.spec.kind,
      size: this.spec.inputs.length,
      durationMs: now() - this.#startedAt,
      polls: this.#polls,
      requests: this.#requests,
      background: this.#waiters.size === 0,
      tag: this.spec.tag,
    });
    const waiters = this.#end();
    for (const waiter of waiters) waiter.resolve(waiter.positions.map((at) => results[at]));
    deliver(this.spec, results);
  }

  #fail(error: GeoapifyError): void {
    const { emit } = this.#context;
    const { kind, inputs, tag } = this.spec;
    // A submit dropped before it left (every caller went away) was never a job: nothing to report.
    const neverSent = error.kind === "aborted" && this.#acceptedAt === undefined;
    if (!neverSent) {
      emit({
        type: "job-failed",
        jobId: this.#id,
        kind,
        size: inputs.length,
        error: error.kind,
        tag,
      });
    }
    for (const waiter of this.#end()) waiter.reject(error);
  }

  /** Ends the job: forgets it, deletes it from the store, releases the lease. */
  #end(): Waiter[] {
    const waiters = [...this.#waiters];
    for (const waiter of waiters) {
      this.#context.timers.clearTimeout(waiter.timer);
      waiter.detach();
    }
    this.#waiters.clear();
    this.#ended = true;
    this.#context.timers.clearTimeout(this.#pollTimer);
    if (this.#id !== undefined) void this.#context.store.delete(this.#id).catch(() => {});
    void this.#lease?.then((release) => release?.());
    this.#context.ended(this);
    return waiters;
  }
}
