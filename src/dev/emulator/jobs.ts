// Batch jobs without timers: a job records when it will be ready, and each poll compares that
// with the emulator's clock. Finished results are kept 24 hours, as Geoapify keeps them.

import { randomBytes } from "node:crypto";
import type { EmulatorModes } from "./types";

export interface Job {
  /** 32 hex digits, like Geoapify's. */
  id: string;
  /** The path the job was submitted to; it is polled on the same path. */
  endpoint: string;
  results: readonly unknown[];
  readyAt: number;
}

/** Answers worked out per step in the background: small enough not to delay a client's work. */
const ANSWERS_PER_STEP = 50;

/** Geoapify keeps finished results for 24 hours. */
const RESULT_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** How long a job of `inputs` inputs takes under the current modes. */
export function jobDurationMs(modes: EmulatorModes, inputs: number): number {
  return modes.jobMs ?? modes.jobBaseMs + modes.jobPerAddressMs * inputs;
}

export class JobStore {
  private jobs = new Map<string, Job>();

  /**
   * A job of `size` inputs submitted at `now` that will be ready after `durationMs`. Its answers
   * (`answerAt` each input) are worked out in small steps between other work, as a server works
   * on an accepted job, and any left when its results are first read are worked out then.
   */
  create(
    endpoint: string,
    size: number,
    answerAt: (index: number) => unknown,
    now: number,
    durationMs: number
  ): Job {
    this.forgetExpired(now);
    const readyAt = now + durationMs;
    const results: unknown[] = [];
    const workUpTo = (end: number) => {
      while (results.length < end) results.push(answerAt(results.length));
    };
    const step = () => {
      workUpTo(Math.min(size, results.length + ANSWERS_PER_STEP));
      if (results.length < size) setImmediate(step);
    };
    setImmediate(step);
    const job: Job = {
      id: randomBytes(16).toString("hex"),
      endpoint,
      get results() {
        workUpTo(size);
        return results;
      },
      readyAt,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  /** The job with this id on this path, unless it expired before `now`. */
  find(id: string, endpoint: string, now: number): Job | undefined {
    this.forgetExpired(now);
    const job = this.jobs.get(id);
    return job?.endpoint === endpoint ? job : undefined;
  }

  clear(): void {
    this.jobs = new Map();
  }

  private forgetExpired(now: number): void {
    for (const [id, job] of this.jobs) {
      if (now - job.readyAt > RESULT_LIFETIME_MS) this.jobs.delete(id);
    }
  }
}
