// The composition root: one Geocoder per runtime wires settings, the cache, one batcher per job
// group and one Geoapify client per endpoint and key. Data flows one way: cell -> cache, or
// batcher -> client -> batcher -> cell; every collected job's results reach the cache through
// the client's onResults, whether a cell still waits for them or not.
//
// A lookup is (kind, options, input). Every function that needs the same lookup shares it:
// GEO.LAT, GEO.ADDRESS and GEO.PLACE of one address are one slot in one job and one cache entry.

import { Batcher, type BatchContext } from "../batching/batcher";
import { GeocodeCache, NOT_FOUND, type CachedResult } from "../cache/geocode-cache";
import {
  GeoapifyClient,
  type ClientEvent,
  type GeoapifyClientOptions,
  type JobResult,
  type JobSpec,
} from "../geoapify/client";
import { GeoapifyError } from "../geoapify/errors";
import { hashApiKey, openJobStore, type JobStore } from "../geoapify/job-store";
import { groupKey, jobParams, lookupKey, optionsFromParams, type Lookup } from "../places/lookup";
import type { Place } from "../places/place";
import {
  GEOAPIFY_BASE_URL,
  MissingApiKeyError,
  SINGLE_EDITS_UP_TO,
  type Endpoint,
  type Limits,
  type Settings,
} from "../settings/settings";
import { CreditLedger, type CreditsSnapshot } from "./credits";
import {
  BudgetExceededError,
  GatewayBudgetError,
  GeoBatchStoppedError,
  LookupFailedError,
  NotCachedError,
} from "./errors";
import { GatewayAccounts } from "./gateway-accounts";
import { officeSsoToken, type SsoTokenSource } from "./sso";
import { publish } from "./telemetry";

export { GeoBatchStoppedError } from "./errors";

/**
 * One partial batch per job group is cut at a time: the next is cut once the previous one's job
 * has been sent (its slot is released then, not when the job is done), so cells that arrive
 * while a submit waits for the rate fill the next job instead of a string of small ones. A full
 * batch cannot grow, so it is cut at once: the full jobs of a large recalculation go out as fast
 * as the request scheduler allows (together without a limit, paced under one). How many jobs
 * are in flight is the scheduler's doing, not a fixed number.
 */
const BATCHES_BEING_SENT = 1;
/** While a recalculation streams in, a batch's window grows (src/batching/window.ts) to this many
 * windows after a full batch was cut, and to at most LONGEST_WINDOW while new cells keep coming:
 * a page slow to hand its cells over would otherwise send extra, partial jobs. */
const WINDOW_STRETCH_AFTER_FULL_BATCH = 4;
const LONGEST_WINDOW = 20;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface GeocoderOptions {
  settings: Settings;
  /** The cache to use once it has opened; lookups wait for it on the first calls only. */
  cache: Promise<GeocodeCache>;
  /** Where submitted jobs survive a reload. Default: IndexedDB, else memory. */
  jobStore?: Promise<JobStore>;
  /** Options for every client this geocoder creates (the endpoint and limits come from settings). */
  client?: Partial<Omit<GeoapifyClientOptions, "baseUrl" | "apiKey" | "onResults" | "admit">>;
  /** Office's SSO token, sent to a team gateway only. Default: OfficeRuntime.auth's. */
  ssoToken?: SsoTokenSource;
}

export interface LookupCallOptions {
  /** Aborted when Excel cancels the cell. */
  signal?: AbortSignal;
  /** Formula value preview: answer from the cache or reject NotCachedError, never send. */
  preview?: boolean;
}

/** One client and what was read for it: clients are per endpoint, payer and limits. */
interface Connection {
  client: GeoapifyClient;
  /** The latest read: a team gateway's token may have rotated since the client was opened. */
  endpoint: Endpoint;
  /** Hash of who pays: the key, or a team gateway's endpoint and user (`account`). */
  keyHash: string;
  account: string | undefined;
  limits: Limits;
}

export class Geocoder {
  private readonly settings: Settings;
  private readonly batchers = new Map<string, Batcher<Lookup, Place | null>>();
  private readonly clientOptions: GeocoderOptions["client"];
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly cacheReady: Promise<GeocodeCache>;
  private readonly jobStore: Promise<JobStore>;
  private readonly credits: CreditLedger;
  private readonly gateways: GatewayAccounts;
  private usageReading: Promise<void> | undefined;
  private cache: GeocodeCache | undefined;
  /** The settings read whose cache lifetimes are in force. */
  private lifetimesFrom: Limits | undefined;
  /** The connection used last, whose scheduler state the pane shows. */
  private latest: Connection | undefined;
  private pendingHits = 0;
  /** Each batcher numbers its batches from 1; telemetry and job tags use one runtime-wide
   * number, so batches of different groups are never mistaken for one another. */
  private lastBatchNumber = 0;
  private closed = false;

  constructor(options: GeocoderOptions) {
    this.settings = options.settings;
    this.clientOptions = options.client;
    this.cacheReady = options.cache.then((cache) => (this.cache = cache));
    this.jobStore = options.jobStore ?? openJobStore();
    this.credits = new CreditLedger(this.settings.store);
    this.gateways = new GatewayAccounts({
      ssoToken: options.ssoToken ?? officeSsoToken(),
      fetch: options.client?.fetch,
    });
  }

  /**
   * The place a lookup finds: from the cache when known, else from the next job of its group.
   * Resolves null when Geoapify found nothing; rejects with MissingApiKeyError, LookupFailedError,
   * BudgetExceededError, NotCachedError (previews) or GeoBatchStoppedError. The functions
   * validate the lookup before they ask.
   */
  async lookup(lookup: Lookup, options: LookupCallOptions = {}): Promise<Place | null> {
    const { signal } = options;
    const [endpoint, limits] = await Promise.all([
      this.settings.endpoint(),
      this.settings.limits(),
    ]);
    if (!endpoint) {
      throw new MissingApiKeyError();
    }
    const cache = this.cache ?? (await this.cacheReady);
    // The cells of one task share one settings read (limits() is coalesced), so the lifetimes
    // are applied once per read, not once per cell.
    if (limits !== this.lifetimesFrom) {
      this.lifetimesFrom = limits;
      cache.setLifetimes({
        foundTtlMs: limits.foundTtlDays * DAY_MS,
        notFoundTtlMs: limits.notFoundTtlDays * DAY_MS,
      });
    }
    // Checked after the awaits: the cell may have been cancelled, or the runtime stopped, while
    // settings or the cache were read.
    if (this.closed) {
      throw new GeoBatchStoppedError();
    }
    const key = lookupKey(lookup);
    if (signal?.aborted) {
      // Cancelled before reaching the batcher: reported as the batcher would, so the batch log
      // counts every cancelled cell.
      publish({ type: "cancelled", key, dropped: true });
      throw signal.reason;
    }
    const cached = cache.get(cacheKey(endpoint.baseUrl, key));
    if (cached !== undefined) {
      this.countCacheHit();
      return cached === NOT_FOUND ? null : cached;
    }
    if (options.preview) {
      throw new NotCachedError();
    }
    return this.batcherFor(lookup, limits.windowMs).load(lookup, { signal });
  }

  /** Asks Geoapify whether the saved key works, without spending a credit. */
  async checkKey(): Promise<"valid" | "rejected" | "unknown" | "missing"> {
    const endpoint = await this.settings.endpoint();
    if (!endpoint) return "missing";
    return (await this.connect(endpoint)).client.checkKey();
  }

  /** Today's credits for the saved key (UTC day): a team gateway's own figures for its user. */
  async creditsToday(): Promise<CreditsSnapshot | undefined> {
    const endpoint = await this.settings.endpoint();
    if (!endpoint) return undefined;
    const { keyHash, limits } = await this.connect(endpoint);
    const usage = await this.gateways.usage(endpoint);
    if (typeof usage === "object") {
      const { day, creditsToday, dailyBudgetCredits, user } = usage;
      return { day, spent: creditsToday, budget: dailyBudgetCredits ?? undefined, user };
    }
    await this.credits.ready();
    return this.credits.snapshot(keyHash, limits.dailyBudgetCredits);
  }

  /** The request scheduler's state for the saved key, for the pane: idle when nothing was sent. */
  status(): GeoapifyClient["state"] | undefined {
    return this.latest?.client.state;
  }

  async cacheStats(): Promise<ReturnType<GeocodeCache["stats"]>> {
    return (await this.cacheReady).stats();
  }

  /** Drops the cached answers of these lookup keys, so they are geocoded again. */
  async forget(keys: readonly string[]): Promise<number> {
    const endpoint = await this.settings.endpoint();
    if (!endpoint) return 0;
    const cache = await this.cacheReady;
    return cache.delete(keys.map((key) => cacheKey(endpoint.baseUrl, key)));
  }

  /** Forgets every cached result, in memory and on disk. */
  async clearCache(): Promise<void> {
    await (await this.cacheReady).clear();
  }

  /** Settles every pending cell with "GeoBatch was stopped" and stops all work. */
  async close(): Promise<void> {
    this.closed = true;
    for (const batcher of this.batchers.values()) batcher.close(new GeoBatchStoppedError());
    for (const connection of this.connections.values()) {
      void connection.then(
        ({ client }) => client.close(),
        () => undefined
      );
    }
    await (await this.cacheReady).close();
  }

  /**
   * Collects the jobs a previous page left running for the saved key, so that cells
   * recalculated after a reload attach to them instead of paying again.
   */
  async resumeStoredJobs(): Promise<void> {
    const endpoint = await this.settings.endpoint();
    if (endpoint && !this.closed) await (await this.connect(endpoint)).client.resume();
  }

  /** The batcher of the lookup's job group. A changed window setting starts a new batcher for
   * the group; the old one drains what it holds. */
  private batcherFor(lookup: Lookup, windowMs: number): Batcher<Lookup, Place | null> {
    const group = `${groupKey(lookup.kind, lookup.options)}|${windowMs}`;
    let batcher = this.batchers.get(group);
    if (!batcher) {
      batcher = new Batcher({
        batch: (lookups, context) => this.runBatch(lookups, context),
        // One numbering for every group's batches, so telemetry never shows two "batch 1".
        nextBatchId: () => ++this.lastBatchNumber,
        keyOf: lookupKey,
        windowMs,
        maxConcurrentBatches: BATCHES_BEING_SENT,
        fullBatchesSkipTheQueue: true,
        windowAfterFullMs: windowMs * WINDOW_STRETCH_AFTER_FULL_BATCH,
        maxWindowMs: windowMs * LONGEST_WINDOW,
        // Per-key "enqueued" events would be one DOM event per cell; batches tell the story.
        onEvent: (event) => event.type !== "enqueued" && publish(event),
      });
      this.batchers.set(group, batcher);
    }
    return batcher;
  }

  private async runBatch(
    lookups: readonly Lookup[],
    { signal, batchId, release }: BatchContext
  ): Promise<Array<Place | null | Error>> {
    // Read at dispatch time: a key saved while cells waited is used by this batch.
    const endpoint = await this.settings.endpoint();
    if (!endpoint) {
      throw new MissingApiKeyError();
    }
    const [{ client, limits }, singleEdits] = await Promise.all([
      this.connect(endpoint),
      this.settings.singleEdits(),
    ]);
    const { kind, options } = lookups[0];
    const inputs = lookups.map((lookup) => lookup.input);
    const job: JobSpec = { kind, params: jobParams(options), inputs, tag: batchId };
    const singlesUpTo = singleEdits ? SINGLE_EDITS_UP_TO : 0;
    const results = await client
      .run(job, { signal, onSent: release, singlesUpTo })
      .catch((error: unknown) => {
        throw asLookupFailure(error, limits);
      });
    return results.map((result) =>
      result instanceof Error ? asLookupFailure(result, limits) : result
    );
  }

  /**
   * The client for this endpoint, payer and limits; a new key starts with a fresh scheduler. The
   * payer of a team gateway is its user, so a rotated token keeps the user's scheduler, stored
   * jobs and credits.
   */
  private connect(endpoint: Endpoint): Promise<Connection> {
    return Promise.all([this.settings.limits(), this.gateways.account(endpoint)]).then(
      ([saved, account]) => {
        // A team gateway enforces its user's budget itself; the pane's own is for a key it pays.
        const limits = endpoint.gateway ? { ...saved, dailyBudgetCredits: undefined } : saved;
        const payer = account ?? endpoint.apiKey;
        const id = [endpoint.baseUrl, payer, limits.ratePerSecond, limits.jobTimeoutMs]
          .concat(limits.dailyBudgetCredits ?? [])
          .join("\n");
        let connection = this.connections.get(id);
        if (!connection) {
          connection = this.openConnection(endpoint, limits, account);
          this.connections.set(id, connection);
        }
        return connection.then((opened) => {
          opened.endpoint = endpoint;
          return (this.latest = opened);
        });
      }
    );
  }

  private async openConnection(
    endpoint: Endpoint,
    limits: Limits,
    account: string | undefined
  ): Promise<Connection> {
    const [keyHash, jobStore] = await Promise.all([
      hashApiKey(account ?? endpoint.apiKey),
      this.jobStore,
    ]);
    const connection = { endpoint, keyHash, limits, account } as Connection;
    connection.client = new GeoapifyClient({
      ...this.clientOptions,
      baseUrl: endpoint.baseUrl,
      apiKey: endpoint.apiKey,
      account,
      keyHash: Promise.resolve(keyHash),
      credentials: () => this.gateways.credentialsFor(connection, () => this.settings.endpoint()),
      ratePerSecond: limits.ratePerSecond,
      waitLimitMs: limits.jobTimeoutMs,
      jobStore,
      admit: (inputs, creditsPerInput) =>
        this.credits.admit(keyHash, limits.dailyBudgetCredits, inputs, creditsPerInput),
      onEvent: (event) => this.onClientEvent(event, connection),
      onResults: (job, results) => void this.store(endpoint.baseUrl, job, results),
    });
    await this.credits.ready();
    return connection;
  }

  private onClientEvent(event: ClientEvent, { endpoint, keyHash, limits }: Connection): void {
    publish(event);
    if (event.type !== "submitted") return;
    if (endpoint.gateway) {
      // The gateway's figures, not ours: its cache and joined jobs cost its users nothing.
      this.usageReading ??= this.creditsToday()
        .then((credits) => credits && publish({ type: "credits", ...credits }))
        .finally(() => (this.usageReading = undefined));
      return;
    }
    publish({ type: "credits", ...this.credits.snapshot(keyHash, limits.dailyBudgetCredits) });
  }

  /** Caches a collected job's answers; failures are never cached, so the next recalculation
   * tries again. */
  private async store(baseUrl: string, job: JobSpec, results: readonly JobResult[]): Promise<void> {
    const cache = await this.cacheReady;
    const options = optionsFromParams(job.params);
    const entries: Array<[string, CachedResult]> = [];
    job.inputs.forEach((input, index) => {
      const result = results[index];
      if (result instanceof Error || result === undefined) return;
      const key = lookupKey({ kind: job.kind, options, input });
      entries.push([cacheKey(baseUrl, key), result ?? NOT_FOUND]);
    });
    // A job's results are already one write: persisted as soon as they are packed rather than
    // after the cache's flush delay, so a workbook closed right after a recalculation keeps them.
    cache.setMany(entries, { flush: true });
  }

  private countCacheHit(): void {
    // One telemetry event per task, not per cell: a cached recalculation can be 10,000 hits.
    if (this.pendingHits++ === 0) {
      setTimeout(() => {
        publish({ type: "cache", hits: this.pendingHits });
        this.pendingHits = 0;
      }, 0);
    }
  }
}

/** The client's error as the runtime reports it to the functions; anything else as it is. A
 * "budget" refusal is a team gateway's when it came as a 429, else the pane's own. */
function asLookupFailure<T>(error: T, limits: Limits): T | Error {
  if (!(error instanceof GeoapifyError)) return error;
  if (error.kind === "budget") {
    return error.status === 429
      ? new GatewayBudgetError(error.budgetCredits)
      : new BudgetExceededError(limits.dailyBudgetCredits ?? 0);
  }
  return new LookupFailedError(error.kind, error.status);
}

/** Results of another endpoint (a proxy, the emulator) must never answer for Geoapify's. */
function cacheKey(baseUrl: string, key: string): string {
  return baseUrl === GEOAPIFY_BASE_URL ? key : `${baseUrl} ${key}`;
}
