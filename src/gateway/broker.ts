// The job broker: each lookup of a user's job is answered from the shared cache (free), joins the
// upstream work already waiting or in flight for it (free), or is queued for the next upstream
// batch and charged to this user (0.5 credits), all in one atomic step in Redis. A gateway job is
// done when every one of its lookups has an answer in the cache.

import { utcDay } from "./clock";
import type { Caller } from "./auth";
import type { Item } from "./inputs";
import type { GatewayMetrics } from "./metrics";
import { batchElement, fromSingleAnswer, singleAnswer } from "./results";
import type { GatewayStore } from "./store/store";
import { newJobId } from "./tokens";
import type { UpstreamAnswer, UpstreamClient } from "./upstream";
import type { LookupKind } from "../places/lookup";
import { jobParams, optionsFromGroup } from "./groups";

/** Credits per input, as Geoapify charges them. */
export const BATCH_CREDITS = 0.5;
export const SINGLE_CREDITS = 1;
/** Gateway jobs stay collectable a little longer than Geoapify keeps its own. */
const JOB_TTL_SECONDS = 25 * 3600;
/** How long a single lookup waits for an upstream rate slot before a 503. */
const SINGLE_WAIT_MS = 10_000;

export class BudgetExceededError extends Error {
  override readonly name = "BudgetExceededError";

  constructor(readonly dailyBudget: number) {
    super(`Daily budget of ${dailyBudget} credits is spent`);
  }
}

export type PollAnswer =
  { state: "unknown" } | { state: "pending" } | { state: "done"; results: unknown[] };

export class JobBroker {
  constructor(
    private readonly store: GatewayStore,
    private readonly upstream: UpstreamClient,
    private readonly metrics: GatewayMetrics,
    private readonly ttl: { found: number; notFound: number }
  ) {}

  /** A new gateway job for these items; its id. Throws BudgetExceededError, refusing it whole. */
  async submit(caller: Caller, group: string, items: readonly Item[]): Promise<string> {
    const id = newJobId();
    const admission = await this.store.admit(
      {
        user: caller.name,
        day: utcDay(Date.now()),
        budget: caller.dailyBudget,
        group,
        jobId: id,
        jobTtlSeconds: JOB_TTL_SECONDS,
        creditsPerInput: BATCH_CREDITS,
      },
      items.map(encode)
    );
    if (admission.refused) throw new BudgetExceededError(caller.dailyBudget ?? 0);
    this.metrics.cacheHits.inc(admission.hits);
    this.metrics.cacheMisses.inc(admission.joins + admission.claimed);
    return id;
  }

  async poll(caller: Caller, id: string, kind: LookupKind): Promise<PollAnswer> {
    const job = await this.store.job(id);
    // Another user's job, or one of the other kind, is not there for this caller.
    if (!job || job.user !== caller.name || kindOf(job.group) !== kind) return { state: "unknown" };
    const keys = job.items.map((item) => item.slice(0, item.indexOf("\n")));
    const cached = await this.store.cached(keys);
    const missing = job.items.filter((_, index) => cached[index] === null);
    if (missing.length === 0) {
      return {
        state: "done",
        results: job.items.map((item, index) =>
          batchElement(kind, cached[index] as string, item.slice(item.indexOf("\n") + 1))
        ),
      };
    }
    // An answer dropped from the cache (`cache forget`, an expiry) with no work waiting for it
    // is queued again, so that no job waits forever.
    const waiting = await this.store.pending(missing.map((item) => item.split("\n")[0]));
    const lost = missing.filter((_, index) => !waiting[index]);
    if (lost.length > 0) {
      await this.store.admit(
        {
          user: caller.name,
          day: utcDay(Date.now()),
          budget: null,
          group: job.group,
          jobId: "",
          jobTtlSeconds: JOB_TTL_SECONDS,
          creditsPerInput: BATCH_CREDITS,
        },
        lost
      );
    }
    return { state: "pending" };
  }

  /** A single lookup: the cache, else one upstream request charged 1 credit. */
  async single(caller: Caller, group: string, item: Item): Promise<UpstreamAnswer> {
    const kind = kindOf(group);
    const [cached] = await this.store.cached([item.key]);
    if (cached !== null) {
      this.metrics.cacheHits.inc();
      return { status: 200, body: singleAnswer(kind, cached, item.input) };
    }
    this.metrics.cacheMisses.inc();
    const day = utcDay(Date.now());
    if (caller.dailyBudget !== null) {
      const spent = await this.store.users.creditsOn(day, caller.name);
      if (spent + SINGLE_CREDITS > caller.dailyBudget) {
        throw new BudgetExceededError(caller.dailyBudget);
      }
    }
    const [lat, lon] = item.input.split(",");
    const query: Record<string, string> = kind === "search" ? { text: item.input } : { lat, lon };
    const answer = await this.upstream.send(
      "single",
      `/v1/geocode/${kind}`,
      { ...jobParams(optionsFromGroup(group)), ...query, format: "json" },
      { deadline: Date.now() + SINGLE_WAIT_MS }
    );
    if (answer.status !== 200) return answer;
    await this.store.users.charge(day, caller.name, SINGLE_CREDITS);
    const record = fromSingleAnswer(kind, answer.body, item.input);
    await this.store.cache(
      item.key,
      record.json,
      record.found ? this.ttl.found : this.ttl.notFound
    );
    return { status: 200, body: singleAnswer(kind, record.json, item.input) };
  }
}

function encode(item: Item): string {
  return `${item.key}\n${item.input}`;
}

function kindOf(group: string): LookupKind {
  return group.startsWith("reverse|") ? "reverse" : "search";
}
