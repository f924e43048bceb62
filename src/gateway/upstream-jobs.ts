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

export class UpstreamJobs {
  readonly owner = randomBytes(8).toString("hex");
  readonly #running = new Map<string, AbortController>();
  readonly #stopping = new AbortController();
  readonly #leaseMs: number;
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
    for (const run of this.#running.values()) run.abort();
    await Promise.all(this.#loops);
    await Promise.all(
      [...this.#running.keys()].map((uid) =>
        this.store.lease(uid, this.owner, 0).catch(() => false)
      )
    );
  }

  get inFlight(): number {
    return this.#running.size;
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
      if (!(await this.store.lease(uid, this.owner, this.#leaseMs))) run.abort();
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
    const run = new AbortController();
    this.#running.set(record.uid, run);
    this.metrics.jobsInFlight.set(this.#running.size);
    void this.#collect(record, run.signal)
      .catch((error) => {
        if (!run.signal.aborted) this.log.warn({ err: error, upstreamJob: record.uid }, "job");
        // Let the lease go so that the sweep (here or on another replica) tries again.
        return this.store.lease(record.uid, this.owner, 0).catch(() => false);
      })
      .finally(() => {
        this.#running.delete(record.uid);
        this.metrics.jobsInFlight.set(this.#running.size);
      });
  }

  async #collect(record: UpstreamJobRecord, signal: AbortSignal): Promise<void> {
    const kind = record.group.startsWith("reverse|") ? "reverse" : "search";
    const spec = JOB_KINDS[kind];
    const params = jobParams(optionsFromGroup(record.group));
    const inputs = record.items.map((item) => item.slice(item.indexOf("\n") + 1));
    let upstreamId = record.upstreamId;
    let accepted = Date.now();
    for (;;) {
      if (!upstreamId) {
        await this.store.lease(record.uid, this.owner, this.#leaseMs, { sentAt: "=now" });
        const answer = await this.upstream.send("submit", spec.path, params, {
          body: spec.body(inputs),
          signal,
        });
        upstreamId = readJobId(answer.body) ?? "";
        if (answer.status !== 202 || !upstreamId) {
          throw new Error(`upstream submit answered ${answer.status}`);
        }
        accepted = Date.now();
        await this.#record(record.uid, { upstreamId }, signal);
      }
      await sleep(pollDelayMs(inputs.length, Date.now() - accepted), signal);
      if (signal.aborted) return;
      const answer = await this.upstream.send("poll", spec.path, { id: upstreamId }, { signal });
      if (answer.status === 202) continue;
      if (answer.status === 404) {
        // Geoapify forgot the job (over 24 h, or its results were lost): submit again.
        upstreamId = "";
        continue;
      }
      if (answer.status !== 200) throw new Error(`upstream poll answered ${answer.status}`);
      const answers = pairResults(kind, record.items, answer.body);
      await this.#completeWhenReachable(record.uid, answers, signal);
      return;
    }
  }

  /** Records a field on the job, waiting out a Redis outage: the upstream id is worth keeping. */
  async #record(uid: string, fields: Record<string, string>, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.store.lease(uid, this.owner, this.#leaseMs, fields);
        return;
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        await sleep(250, signal);
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

/** Like the add-in's poll timing: a first poll when a job of this size is likely ready. */
function pollDelayMs(inputs: number, sinceAcceptedMs: number): number {
  const expected = 300 + 0.3 * inputs;
  return sinceAcceptedMs < expected ? expected - sinceAcceptedMs : 500;
}

function readJobId(body: unknown): string | undefined {
  const id = (body as { id?: unknown } | undefined)?.id;
  return typeof id === "string" && id !== "" ? id : undefined;
}
