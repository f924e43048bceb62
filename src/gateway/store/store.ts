// The one module that speaks Redis. Everything the replicas share lives here: users and token
// hashes, credits per user per UTC day, the answer cache, the queue of addresses waiting for an
// upstream batch, gateway jobs, upstream jobs and their leases, and the upstream rate.
//
// The connection fails fast rather than waiting: no offline queue, a command timeout and one
// retry, so a stopped or frozen Redis turns into an error within about 1.5 s, which the routes
// answer with 503. ioredis keeps reconnecting in the background.

import { Redis } from "ioredis";
import { ACQUIRE, ADMIT, CLAIM, COMPLETE, EXPIRED, LEASE, STRIKE, TAKE } from "./scripts";
import { UserStore } from "./users";

/** Every key carries one hash tag, so a Redis Cluster keeps them in one slot. */
export const KEY_PREFIX = "{gb}:";

const COMMAND_TIMEOUT_MS = 1_500;

type ScriptCall = (keys: string, ...args: Array<string | number>) => Promise<unknown>;
type Scripted = Redis &
  Record<"admit" | "take" | "complete" | "claim", ScriptCall> &
  Record<"expired" | "lease" | "acquire" | "strike", ScriptCall>;

export interface Admission {
  refused: boolean;
  hits: number;
  joins: number;
  claimed: number;
  creditsToday: number;
}

export interface UpstreamJobRecord {
  uid: string;
  group: string;
  items: string[];
  upstreamId: string;
  /** Redis time of the submit's sending, 0 when not yet sent. */
  sentAt: number;
}

export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}

export function openRedis(url: string): Redis {
  return new Redis(url, {
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: COMMAND_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
    lazyConnect: false,
  });
}

export class GatewayStore {
  readonly users: UserStore;
  readonly #redis: Scripted;

  constructor(redis: Redis) {
    const scripts = { ADMIT, TAKE, COMPLETE, CLAIM, EXPIRED, LEASE, ACQUIRE, STRIKE };
    for (const [name, lua] of Object.entries(scripts)) {
      redis.defineCommand(name.toLowerCase(), { numberOfKeys: 1, lua });
    }
    this.#redis = redis as Scripted;
    // Connection errors are answered per request; the event must have a listener or Node throws.
    redis.on("error", () => {});
    this.users = new UserStore(redis, KEY_PREFIX, (call) => this.#guard(call));
  }

  /** Resolves once connected, or throws after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (await this.ping()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new StoreUnavailableError("Redis did not answer");
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.#redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async admit(
    request: {
      user: string;
      day: string;
      budget: number | null;
      group: string;
      jobId: string;
      jobTtlSeconds: number;
      creditsPerInput: number;
    },
    items: readonly string[]
  ): Promise<Admission> {
    const [refused, hits, joins, claimed, credits] = (await this.#guard(() =>
      this.#redis.admit(
        KEY_PREFIX,
        request.user,
        request.day,
        request.budget === null ? "" : String(request.budget),
        request.group,
        request.jobId,
        request.jobTtlSeconds,
        request.creditsPerInput,
        ...items
      )
    )) as [number, number, number, number, string];
    return { refused: refused === 1, hits, joins, claimed, creditsToday: Number(credits) };
  }

  async job(id: string): Promise<{ user: string; group: string; items: string[] } | null> {
    const [user, group, items] = await this.#guard(() =>
      this.#redis.hmget(`${KEY_PREFIX}job:${id}`, "user", "group", "items")
    );
    if (!user || !group || !items) return null;
    return { user, group, items: JSON.parse(items) as string[] };
  }

  /** Cached answers (JSON text) by lookup key; null where none. */
  async cached(keys: readonly string[]): Promise<Array<string | null>> {
    if (keys.length === 0) return [];
    return this.#guard(() => this.#redis.mget(keys.map((key) => `${KEY_PREFIX}cache:${key}`)));
  }

  async cache(key: string, json: string, ttlSeconds: number): Promise<void> {
    await this.#guard(() => this.#redis.set(`${KEY_PREFIX}cache:${key}`, json, "EX", ttlSeconds));
  }

  /** Whether each key is waiting in the queue or in an upstream job. */
  async pending(keys: readonly string[]): Promise<boolean[]> {
    if (keys.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const key of keys) {
      pipeline.exists(`${KEY_PREFIX}queued:${key}`, `${KEY_PREFIX}inflight:${key}`);
    }
    const answers = await this.#guard(() => pipeline.exec());
    return (answers ?? []).map(([error, count]) => {
      if (error) throw new StoreUnavailableError(error.message);
      return Number(count) > 0;
    });
  }

  /** Groups with items queued for upstream. */
  async queuedGroups(): Promise<string[]> {
    return this.#guard(() => this.#redis.smembers(`${KEY_PREFIX}groups`));
  }

  async take(
    group: string,
    max: number,
    uid: string,
    owner: string,
    leaseMs: number
  ): Promise<string[]> {
    return (await this.#guard(() =>
      this.#redis.take(KEY_PREFIX, uid, max, owner, leaseMs, group)
    )) as string[];
  }

  async complete(
    uid: string,
    ttl: { found: number; notFound: number },
    answers: ReadonlyArray<{ key: string; json: string; found: boolean }>
  ): Promise<void> {
    const args = answers.flatMap((answer) => [answer.key, answer.json, answer.found ? "1" : "0"]);
    await this.#guard(() =>
      this.#redis.complete(KEY_PREFIX, uid, ttl.found, ttl.notFound, ...args)
    );
  }

  async expiredUpstreamJobs(): Promise<string[]> {
    return (await this.#guard(() => this.#redis.expired(KEY_PREFIX))) as string[];
  }

  async claim(uid: string, owner: string, leaseMs: number): Promise<UpstreamJobRecord | null> {
    const fields = (await this.#guard(() =>
      this.#redis.claim(KEY_PREFIX, uid, owner, leaseMs)
    )) as Array<string | null> | null;
    if (!fields || !fields[0] || !fields[1]) return null;
    return {
      uid,
      group: fields[0],
      items: JSON.parse(fields[1]) as string[],
      upstreamId: fields[2] ?? "",
      sentAt: Number(fields[3] ?? 0),
    };
  }

  /** Renews a held lease (leaseMs 0 lets it go), recording fields; false when not held. */
  async lease(
    uid: string,
    owner: string,
    leaseMs: number,
    fields: Record<string, string> = {}
  ): Promise<boolean> {
    const args = Object.entries(fields).flat();
    return (
      (await this.#guard(() => this.#redis.lease(KEY_PREFIX, uid, owner, leaseMs, ...args))) === 1
    );
  }

  /** 0 when an upstream request may leave now, else the ms to wait first. */
  async acquire(
    rate: number,
    windowMs: number,
    member: string,
    purpose: "submit" | "poll"
  ): Promise<number> {
    return Number(
      await this.#guard(() => this.#redis.acquire(KEY_PREFIX, rate, windowMs, member, purpose))
    );
  }

  /** Records an upstream 429; true once 429s have persisted for `quotaAfterMs`. */
  async strike(
    baseMs: number,
    maxMs: number,
    retryAfterMs: number,
    quotaAfterMs: number
  ): Promise<boolean> {
    const quota = await this.#guard(() =>
      this.#redis.strike(KEY_PREFIX, baseMs, maxMs, retryAfterMs, quotaAfterMs)
    );
    return quota === 1;
  }

  /** An upstream answer that was not a 429 ends a run of them. */
  async clearStrikes(): Promise<void> {
    await this.#guard(() =>
      this.#redis.del(`${KEY_PREFIX}strikes`, `${KEY_PREFIX}firststrike`, `${KEY_PREFIX}quota`)
    );
  }

  async quotaSpent(): Promise<boolean> {
    return (await this.#guard(() => this.#redis.exists(`${KEY_PREFIX}quota`))) === 1;
  }

  /** Drops cached answers whose input is one of these texts (any kind, any options). */
  async forget(inputs: readonly string[]): Promise<number> {
    let dropped = 0;
    for (const input of inputs) {
      const pattern = `${KEY_PREFIX}cache:*|${input.replace(/[*?[\]\\]/g, "\\$&")}`;
      let cursor = "0";
      do {
        const [next, keys] = await this.#guard(() =>
          this.#redis.scan(cursor, "MATCH", pattern, "COUNT", 1000)
        );
        cursor = next;
        if (keys.length > 0) dropped += await this.#guard(() => this.#redis.del(...keys));
      } while (cursor !== "0");
    }
    return dropped;
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }

  async #guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new StoreUnavailableError(error instanceof Error ? error.message : String(error));
    }
  }
}
