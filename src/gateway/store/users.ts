// Users, the hashes of their tokens, their daily budgets and their credits per UTC day. Redis
// never holds a token: only its SHA-256 (a long random token needs no slow hash).

import type { Redis } from "ioredis";

export interface UserRecord {
  name: string;
  tokenHash: string;
  /** Credits per UTC day; null for no budget. */
  dailyBudget: number | null;
}

/** Credits per day are kept this long, for `user list --days`. */
export const CREDITS_KEPT_DAYS = 31;

type Guard = <T>(call: () => Promise<T>) => Promise<T>;

export class UserExistsError extends Error {
  override readonly name = "UserExistsError";
}

export class UserStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly guard: Guard
  ) {}

  /** Creates a user (lifting a bar on the name); throws UserExistsError if it exists. */
  async add(name: string, tokenHash: string, dailyBudget: number | null): Promise<void> {
    const created = await this.guard(() =>
      this.redis.hsetnx(this.#user(name), "tokenHash", tokenHash)
    );
    if (created === 0) throw new UserExistsError(`User ${name} exists`);
    await this.guard(() =>
      this.redis
        .multi()
        .hset(this.#user(name), "budget", dailyBudget === null ? "" : String(dailyBudget))
        .set(this.#token(tokenHash), name)
        .srem(`${this.prefix}barred`, name)
        .sadd(`${this.prefix}users`, name)
        .exec()
    );
  }

  /** A signed-in user, created on first sight with the default budget; null when barred. */
  async ensure(name: string, defaultBudget: number | null): Promise<UserRecord | null> {
    if (await this.barred(name)) return null;
    await this.guard(() =>
      this.redis
        .multi()
        .hsetnx(this.#user(name), "budget", defaultBudget === null ? "" : String(defaultBudget))
        .hsetnx(this.#user(name), "tokenHash", "")
        .sadd(`${this.prefix}users`, name)
        .exec()
    );
    return this.get(name);
  }

  async get(name: string): Promise<UserRecord | null> {
    const [tokenHash, budget] = await this.guard(() =>
      this.redis.hmget(this.#user(name), "tokenHash", "budget")
    );
    if (tokenHash === null) return null;
    return { name, tokenHash, dailyBudget: budget ? Number(budget) : null };
  }

  /** The user a token hash belongs to, or null. */
  async byTokenHash(tokenHash: string): Promise<UserRecord | null> {
    const name = await this.guard(() => this.redis.get(this.#token(tokenHash)));
    return name === null ? null : this.get(name);
  }

  async barred(name: string): Promise<boolean> {
    return (await this.guard(() => this.redis.sismember(`${this.prefix}barred`, name))) === 1;
  }

  /** Replaces a user's token hash; false when there is no such user. */
  async rotate(name: string, tokenHash: string): Promise<boolean> {
    const user = await this.get(name);
    if (!user) return false;
    const multi = this.redis.multi();
    if (user.tokenHash) multi.del(this.#token(user.tokenHash));
    multi.hset(this.#user(name), "tokenHash", tokenHash).set(this.#token(tokenHash), name);
    await this.guard(() => multi.exec());
    return true;
  }

  /** Revokes the user's token and bars the name (signed-in users of that name included). */
  async remove(name: string): Promise<boolean> {
    const user = await this.get(name);
    const multi = this.redis.multi();
    if (user?.tokenHash) multi.del(this.#token(user.tokenHash));
    multi
      .del(this.#user(name))
      .srem(`${this.prefix}users`, name)
      .sadd(`${this.prefix}barred`, name);
    await this.guard(() => multi.exec());
    return user !== null;
  }

  async names(): Promise<string[]> {
    return (await this.guard(() => this.redis.smembers(`${this.prefix}users`))).sort();
  }

  async creditsOn(day: string, name: string): Promise<number> {
    const value = await this.guard(() => this.redis.hget(this.#credits(day), name));
    return Number(value ?? 0);
  }

  /** Every user's credits on one UTC day. */
  async creditsByUser(day: string): Promise<Record<string, number>> {
    const all = await this.guard(() => this.redis.hgetall(this.#credits(day)));
    return Object.fromEntries(Object.entries(all).map(([name, value]) => [name, Number(value)]));
  }

  /** Adds credits outside a job (a single lookup sent upstream). */
  async charge(day: string, name: string, credits: number): Promise<number> {
    const key = this.#credits(day);
    const [[, total]] = (await this.guard(() =>
      this.redis
        .multi()
        .hincrbyfloat(key, name, credits)
        .expire(key, CREDITS_KEPT_DAYS * 86_400)
        .exec()
    )) as [[unknown, string]];
    return Number(total);
  }

  #user(name: string): string {
    return `${this.prefix}user:${name}`;
  }

  #token(tokenHash: string): string {
    return `${this.prefix}token:${tokenHash}`;
  }

  #credits(day: string): string {
    return `${this.prefix}credits:${day}`;
  }
}
