// The composition root: one Geocoder per runtime wires settings, the cache, the batcher and the
// Geoapify client together. Data flows one way: cell -> cache or batcher -> client -> batcher ->
// cell, and results go into the cache on the way back.

import { Batcher, type BatchContext } from "../batching/batcher";
import { GeocodeCache, NOT_FOUND, type CachedPlace } from "../cache/geocode-cache";
import { GeoapifyClient, type GeoapifyClientOptions, type Place } from "../geoapify/client";
import { GeoapifyError } from "../geoapify/errors";
import { MissingApiKeyError, Settings, GEOAPIFY_BASE_URL } from "../settings/settings";
import { addressKey, cleanAddress } from "./address";
import { publish } from "./telemetry";

/** Settles every waiter when the runtime goes away, so no cell is left #BUSY!. */
export class GeoBatchStoppedError extends Error {
  override readonly name = "GeoBatchStoppedError";

  constructor() {
    super("GeoBatch was stopped");
  }
}

export interface GeocoderOptions {
  settings: Settings;
  /** The cache to use once it has opened; lookups wait for it on the first calls only. */
  cache: Promise<GeocodeCache>;
  /** Batching window in ms (see Batcher). */
  windowMs?: number;
  /** Geoapify jobs in flight at once. */
  maxConcurrentJobs?: number;
  /** Options for every client this geocoder creates (baseUrl and timeout come from settings). */
  client?: Omit<GeoapifyClientOptions, "baseUrl" | "jobTimeoutMs">;
}

export class Geocoder {
  private readonly settings: Settings;
  private readonly batcher: Batcher<string, CachedPlace | null>;
  private readonly clientOptions: GeocoderOptions["client"];
  // One client per endpoint and timeout, so the quota circuit of an endpoint is shared by its
  // batches.
  private readonly clients = new Map<string, GeoapifyClient>();
  private readonly cacheReady: Promise<GeocodeCache>;
  private cache: GeocodeCache | undefined;
  private pendingHits = 0;

  constructor(options: GeocoderOptions) {
    this.settings = options.settings;
    this.clientOptions = options.client;
    this.cacheReady = options.cache.then((cache) => (this.cache = cache));
    this.batcher = new Batcher({
      batch: (queries, context) => this.geocodeBatch(queries, context),
      keyOf: addressKey,
      windowMs: options.windowMs,
      maxConcurrentBatches: options.maxConcurrentJobs,
      // Per-key "enqueued" events would be one DOM event per cell; batches tell the story.
      onEvent: (event) => event.type !== "enqueued" && publish(event),
    });
  }

  /**
   * The place for an address: from the cache when known, else from the next batch. Resolves
   * null when Geoapify found nothing; rejects with MissingApiKeyError, GeoapifyError or
   * GeoBatchStoppedError. `address` must be non-blank text (the functions validate it).
   */
  async locate(address: string, signal?: AbortSignal): Promise<CachedPlace | null> {
    const query = cleanAddress(address);
    const endpoint = await this.settings.endpoint();
    if (!endpoint) {
      throw new MissingApiKeyError();
    }
    const cache = this.cache ?? (await this.cacheReady);
    // Checked after the awaits: the cell may have been cancelled, or the runtime stopped, while
    // settings or the cache were read.
    if (this.batcher.closed) {
      throw new GeoBatchStoppedError();
    }
    if (signal?.aborted) {
      // Cancelled before reaching the batcher: reported as the batcher would, so the batch log
      // counts every cancelled cell.
      publish({ type: "cancelled", key: addressKey(query), dropped: true });
      throw signal.reason;
    }
    const cached = cache.get(cacheKey(endpoint.baseUrl, query));
    if (cached !== undefined) {
      this.countCacheHit();
      return cached === NOT_FOUND ? null : cached;
    }
    return this.batcher.load(query, { signal });
  }

  /** Forgets every cached result, in memory and on disk. */
  async clearCache(): Promise<void> {
    await (await this.cacheReady).clear();
  }

  /** Settles every pending cell with "GeoBatch was stopped" and stops all work. */
  async close(): Promise<void> {
    this.batcher.close(new GeoBatchStoppedError());
    await (await this.cacheReady).close();
  }

  private async geocodeBatch(
    queries: readonly string[],
    { signal, batchId }: BatchContext
  ): Promise<Array<CachedPlace | null | Error>> {
    // Read at dispatch time: a key saved while cells waited is used by this batch.
    const endpoint = await this.settings.endpoint();
    if (!endpoint) {
      throw new MissingApiKeyError();
    }
    const client = this.clientFor(endpoint.baseUrl, await this.settings.jobTimeoutMs());
    const outcome = await client.geocodeBatch(queries, { apiKey: endpoint.apiKey, signal });
    publish({
      type: "job",
      batchId,
      jobId: outcome.jobId,
      polls: outcome.polls,
      requests: outcome.requests,
      durationMs: outcome.durationMs,
    });
    const cache = await this.cacheReady;
    const places = outcome.places.map(toCachedPlace);
    cache.setMany(
      // Failures are never cached: the next recalculation tries again.
      queries.flatMap((query, index): Array<[string, CachedPlace | typeof NOT_FOUND]> => {
        const place = places[index];
        if (place instanceof Error) return [];
        return [[cacheKey(endpoint.baseUrl, query), place ?? NOT_FOUND]];
      })
    );
    // A batch's results are already one write: persist them now rather than after the cache's
    // flush delay, so a workbook closed right after a recalculation keeps them.
    void cache.flush();
    return places;
  }

  private clientFor(baseUrl: string, jobTimeoutMs: number | undefined): GeoapifyClient {
    const id = `${baseUrl} ${jobTimeoutMs ?? ""}`;
    let client = this.clients.get(id);
    if (!client) {
      client = new GeoapifyClient({ ...this.clientOptions, baseUrl, jobTimeoutMs });
      this.clients.set(id, client);
    }
    return client;
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

function toCachedPlace(place: Place | null | GeoapifyError): CachedPlace | null | Error {
  return place === null || place instanceof Error ? place : { lat: place.lat, lon: place.lon };
}

/** Results of another endpoint (a proxy, the emulator) must never answer for Geoapify's. */
function cacheKey(baseUrl: string, query: string): string {
  const key = addressKey(query);
  return baseUrl === GEOAPIFY_BASE_URL ? key : `${baseUrl} ${key}`;
}
