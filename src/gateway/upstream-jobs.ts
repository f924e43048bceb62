// Upstream batch jobs: every replica takes queued addresses in fair batches of up to 1,000
// (store TAKE), submits them, polls them and records their answers in the shared cache. Each job
// is leased in Redis: the replica running it renews the lease; when a replica dies its jobs'
// leases expire and another replica claims them and goes on polling.
//
// The one window for a double payment: a replica killed after sending a submit and before
// recording its answer leaves a job nobody can collect (Geoapify has no idempotency key). The
// replica that claims it after the lease expires submits it again: at-least-once.

import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { sleep } from "./clock";
import { JOB_KINDS } from "../geoapify/job-kinds";
import { JobTiming } from "../geoapify/poll-timing";
import { MAX_BATCH_SIZE } from "../geoapify/types";
import { jobParams, optionsFromGroup } from "./groups";
import type { GatewayMetrics } from "./metrics";
import type { GatewayStore, UpstreamJobRecord } from "./store/store";
import { StoreUnavailableError } from "./store/store";
import { pairResults } from "./results";
import type { UpstreamClient } from "./upstream";

export interface UpstreamJobsOptions {
  windowMs: number;
  ttl: { found: number; notFound: number };
  /** How long a replica's claim on a job lasts without renewal. */
  leaseMs?: number;
}

const LEASE_MS = 6_000;
const HEARTBEAT_MS = 1_500;
const SWEEP_MS = 1_000;
/** A job Geoapify refused (a wrong company key, say) is tried again after this long. */
const FAILED_JOB_PAUSE_MS = 10_000;
const RECORD_ATTEMPTS_WHEN_STOPPING = 20;

export class UpstreamJobs {
  readonly owner = randomBytes(8).toString("hex");
  readonly #running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  readonly #stopping = new AbortController();
  readonly #leaseMs: number;
  /** When to poll, learned from this replica's jobs as the add-in learns from its own. */
  readonly #timing = new JobTiming();
  #loops: Promise<void>[] = [];

  constructor(
    private readonly store: GatewayStore,
    private readonly upstream: UpstreamClient,
    private readonly metrics: GatewayMetrics,
    private readonly log: FastifyBaseLogger,
    private readonly options: UpstreamJobsOptions
  ) {
    this.#leaseMs = options.leaseMs ?? LEASE_MS;
  }

  start(): void {
    const every = (ms: number, step: () => Promise<void>) =>
      (async () => {
        while (!this.#stopping.signal.aborted) {
          try {
            await step();
          } catch (error) {
            if (!(error instanceof StoreUnavailableError)) this.log.error({ err: error }, "step");
          }
          await sleep(ms, this.#stopping.signal);
        }
      })();
    this.#loops = [
      every(Math.max(10, this.options.windowMs), () => this.#dispatch()),
      every(HEARTBEAT_MS, () => this.#heartbeat()),
      every(SWEEP_MS, () => this.#sweep()),
    ];
  }

  /** Stops taking work, ends local runs and lets their leases go so another replica goes on. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    const runs = [...this.#running.values()];
    for (const run of runs) run.abort.abort();
    await Promise.all([...this.#loops, ...runs.map((run) => run.done)]);
  }

  async #dispatch(): Promise<void> {
    if (await this.store.quotaSpent()) return;
    for (const group of await this.store.queuedGroups()) {
      for (;;) {
        const uid = randomBytes(8).toString("hex");
        const items = await this.store.take(group, MAX_BATCH_SIZE, uid, this.owner, this.#leaseMs);
        if (items.length === 0) break;
        this.#run({ uid, group, items, upstreamId: "", sentAt: 0 });
        if (items.length < MAX_BATCH_SIZE) break;
      }
    }
  }

  async #heartbeat(): Promise<void> {
    for (const [uid, run] of this.#running) {
      if (!(await this.store.lease(uid, this.owner, this.#leaseMs))) run.abort.abort();
    }
  }

  async #sweep(): Promise<void> {
    for (const uid of await this.store.expiredUpstreamJobs()) {
      if (this.#running.has(uid)) continue;
      const record = await this.store.claim(uid, this.owner, this.#leaseMs);
      if (!record) continue;
      this.log.info({ upstreamJob: uid, sent: record.sentAt > 0 }, "took over an upstream job");
      this.#run(record);
    }
  }

  #run(record: UpstreamJobRecord): void {
    const abort = new AbortController();
    const { signal } = abort;
    const done = this.#collect(record, signal)
      .then(
        () => (signal.aborted ? 0 : undefined),
        (error) => {
          if (!signal.aborted) this.log.warn({ err: error, upstreamJob: record.uid }, "job");
          return signal.aborted ? 0 : FAILED_JOB_PAUSE_MS;
        }
      )
      .then(async (retryInMs) => {
        // Not collected: tried again by a sweep (here or on another replica) once this shorter
        // lease ends — at once after a stop or a lost lease, after a pause when Geoapify
        // refused the job.
        if (retryInMs !== undefined) {
          await this.store.lease(record.uid, this.owner, retryInMs).catch(() => false);
        }
      })
      .finally(() => {
        this.#running.delete(record.uid);
        this.metrics.jobsInFlight.set(this.#running.size);
      });
    this.#running.set(record.uid, { abort, done });
    this.metrics.jobsInFlight.set(this.#running.size);
  }

  async #collect(record: UpstreamJobRecord, signal: AbortSignal): Promise<void> {
    const kind = record.group.startsWith("reverse|") ? "reverse" : "search";
    const spec = JOB_KINDS[kind];
    const params = jobParams(optionsFromGroup(record.group));
    const inputs = record.items.map((item) => item.slice(item.indexOf("\n") + 1));
    let upstreamId = record.upstreamId;
    let accepted = Date.now();
    let pendingAgeMs: number | undefined;
    for (;;) {
      if (!upstreamId) {
        await this.store.lease(record.uid, this.owner, this.#leaseMs, { sentAt: "=now" });
        const answer = await this.#reachable(signal, () =>
          this.upstream.send("submit", spec.path, params, { body: spec.body(inputs), signal })
        );
        upstreamId = readJobId(answer.body) ?? "";
        if (answer.status !== 202 || !upstreamId) {
          throw new Error(`upstream submit answered ${answer.status}`);
        }
        accepted = Date.now();
        pendingAgeMs = undefined;
        await this.#record(record.uid, { upstreamId }, signal);
      }
      const ageMs = Date.now() - accepted;
      const waitMs =
        pendingAgeMs === undefined
          ? this.#timing.predictMs(inputs.length) - ageMs
          : this.#timing.nextGapMs(ageMs, inputs.length, false);
      await sleep(Math.max(0, waitMs), signal);
      if (signal.aborted) return;
      const answer = await this.#reachable(signal, () =>
        this.upstream.send("poll", spec.path, { id: upstreamId }, { signal })
      );
      if (answer.status === 202) {
        pendingAgeMs = Date.now() - accepted;
        continue;
      }
      if (answer.status === 404) {
        // Geoapify forgot the job (over 24 h, or its results were lost): submit again.
        upstreamId = "";
        continue;
      }
      if (answer.status !== 200) throw new Error(`upstream poll answered ${answer.status}`);
      // A job taken over from another replica has no known acceptance time to learn from.
      if (record.upstreamId === "") {
        this.#timing.observe(inputs.length, pendingAgeMs, Date.now() - accepted);
      }
      const answers = pairResults(kind, record.items, answer.body);
      await this.#completeWhenReachable(record.uid, answers, signal);
      return;
    }
  }

  /**
   * Waits out a Redis outage before a request (its rate slot is in Redis). Safe for a submit: the
   * store is only asked before the request leaves, and the answer is kept whatever Redis does.
   */
  async #reachable<T>(signal: AbortSignal, send: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof StoreUnavailableError) || signal.aborted) throw error;
        await sleep(250, signal);
      }
    }
  }

  /**
   * Records a field on the job, waiting out a Redis outage: a submit's job id is worth keeping,
   * even while stopping (then for a few seconds at most, as stop() waits for it).
   */
  async #record(uid: string, fields: Record<string, string>, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted || attempt < RECORD_ATTEMPTS_WHEN_STOPPING; attempt++) {
      try {
        await this.store.lease(uid, this.owner, this.#leaseMs, fields);
        return;
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        await sleep(250);
      }
    }
  }

  async #completeWhenReachable(
    uid: string,
    answers: ReturnType<typeof pairResults>,
    signal: AbortSignal
  ): Promise<void> {
    for (;;) {
      try {
        await this.store.complete(uid, this.options.ttl, answers);
        return;
      } catch (error) {
        if (!(error instanceof StoreUnavailableError) || this.#stopping.signal.aborted) throw error;
        await sleep(250, signal);
      }
    }
  }
}

function readJobId(body: unknown): string | undefined {
  const id = (body as { id?: unknown } | undefined)?.id;
  return typeof id === "string" && id !== "" ? id : undefined;
}
