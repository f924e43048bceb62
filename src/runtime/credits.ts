// Credits spent per API key and UTC day, and the optional daily budget.
//
// Geoapify counts credits per day without naming a time zone, so GeoBatch counts per UTC day
// and says so wherever the figure is shown. A credit is counted when the job is sent (0.5 per
// batch address, times the job's priority factor): Geoapify bills a job once it accepts it, and
// counting before the answer keeps two batches dispatched together from both fitting into the
// last of the budget. A submit that fails without creating a job is rare (a 429 is retried
// until it goes through), and counting it errs on the side of spending less.
//
// Keys are identified by a hash, never by the key itself, because the ledger is persisted.

import type { KeyValueStore } from "../settings/settings";

const STORAGE_KEY = "geobatch.credits";

/** What a pane shows: today's spending for one key. */
export interface CreditsSnapshot {
  /** The UTC day counted, "2026-12-02". */
  day: string;
  spent: number;
  /** Undefined: no budget set. */
  budget: number | undefined;
  /** A team gateway's user, when these are the gateway's figures for them rather than ours. */
  user?: string;
}

interface Persisted {
  day: string;
  spent: Record<string, number>;
}

export class CreditLedger {
  private readonly store: KeyValueStore;
  private readonly now: () => number;
  private day = "";
  private spent = new Map<string, number>();
  private readonly loaded: Promise<void>;
  private pendingWrite: Promise<void> | undefined;

  constructor(store: KeyValueStore, now: () => number = Date.now) {
    this.store = store;
    this.now = now;
    this.loaded = this.load();
  }

  /** Resolves once the persisted counters are in memory; admit() is exact only after it. */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** Credits spent today with the key of this hash. */
  spentToday(keyHash: string): number {
    this.rollOver();
    return this.spent.get(keyHash) ?? 0;
  }

  /**
   * How many of `inputs` may be sent at `creditsPerInput` each without passing `budget`, which
   * are counted as spent at once. With no budget every input may go.
   */
  admit(
    keyHash: string,
    budget: number | undefined,
    inputs: number,
    creditsPerInput: number
  ): number {
    const spent = this.spentToday(keyHash);
    const allowed =
      budget === undefined
        ? inputs
        : Math.max(0, Math.min(inputs, Math.floor((budget - spent) / creditsPerInput + 1e-9)));
    if (allowed > 0) {
      this.spent.set(keyHash, spent + allowed * creditsPerInput);
      this.persist();
    }
    return allowed;
  }

  snapshot(keyHash: string, budget: number | undefined): CreditsSnapshot {
    return { day: this.day || utcDay(this.now()), spent: this.spentToday(keyHash), budget };
  }

  private rollOver(): void {
    const today = utcDay(this.now());
    if (today !== this.day) {
      this.day = today;
      this.spent.clear();
    }
  }

  private async load(): Promise<void> {
    try {
      const saved: unknown = JSON.parse((await this.store.getItem(STORAGE_KEY)) ?? "null");
      this.rollOver();
      if (isPersisted(saved) && saved.day === this.day) {
        // Anything counted before the load finished is added to, not overwritten.
        for (const [hash, credits] of Object.entries(saved.spent)) {
          this.spent.set(hash, (this.spent.get(hash) ?? 0) + credits);
        }
      }
    } catch {
      // Unreadable or unavailable storage: count from zero in memory.
    }
  }

  /** One write in flight at a time; a burst of admits is one write of the latest counters. */
  private persist(): void {
    if (this.pendingWrite) return;
    this.pendingWrite = Promise.resolve()
      .then(() => this.loaded)
      .then(() => {
        const data: Persisted = { day: this.day, spent: Object.fromEntries(this.spent) };
        this.pendingWrite = undefined;
        return this.store.setItem(STORAGE_KEY, JSON.stringify(data));
      })
      .catch(() => {
        this.pendingWrite = undefined;
      });
  }
}

export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

function isPersisted(value: unknown): value is Persisted {
  if (typeof value !== "object" || value === null) return false;
  const { day, spent } = value as Partial<Persisted>;
  return (
    typeof day === "string" &&
    typeof spent === "object" &&
    spent !== null &&
    Object.values(spent).every((credits) => typeof credits === "number" && credits >= 0)
  );
}
