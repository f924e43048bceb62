// What a job is asked to do (its spec), what it answers (one result per input) and what every
// job of one client shares (its context): the seam between the client and its job engine.

import type { Place } from "../places/place";
import type { GeoapifyError } from "./errors";
import type { ClientEvent } from "./events";
import type { JobKind } from "./job-kinds";
import type { JobStore, LockManagerLike } from "./job-store";
import type { JobTiming } from "./poll-timing";
import type { Timers } from "./scheduler";
import type { Transport } from "./transport";

export interface JobSpec {
  kind: JobKind;
  params: Readonly<Record<string, string>>;
  /** 1 to 1,000 inputs: addresses, or "lat,lon" for reverse. */
  inputs: readonly string[];
  /** The caller's own id for this work (the runtime's batch number), echoed in the job's
   * events so an observer can tell which batch a job served. */
  tag?: number;
}

export type JobResult = Place | null | GeoapifyError;

/** What every job of one client shares; `J` is the job, which the client tracks. */
export interface JobContext<J = unknown> {
  baseUrl: string;
  keyHash: Promise<string>;
  transport: Transport;
  timing: JobTiming;
  store: JobStore;
  locks: LockManagerLike | undefined;
  now: () => number;
  timers: Timers;
  waitLimitMs: number;
  /** How long Geoapify keeps a job: polling stops this long after acceptance. */
  retentionMs: number;
  creditsPerInput: number;
  emit: (event: ClientEvent) => void;
  deliver: (spec: JobSpec, results: readonly JobResult[]) => void;
  /** The job was collected, failed or expired: forget it. */
  ended: (job: J) => void;
  /** `timing` learned from a finished job: re-time the jobs not yet polled. */
  learned: () => void;
  /** Whether no request waits for the rate, so that an early poll takes a turn nobody needs. */
  rateIdle: () => boolean;
}
