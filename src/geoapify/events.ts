// What the client tells its observer (the runtime's telemetry, the task pane, tests). Every event
// carries the figures a pane needs and none carries the API key. A job's events carry its spec's
// `tag`, the caller's own correlation id.

import type { GeoapifyErrorKind } from "./errors";
import type { JobKind } from "./job-kinds";
import type { RequestKind, SchedulerEvent } from "./scheduler";

export type ClientEvent =
  /**
   * From the scheduler: `request` (every HTTP exchange, so a counter can prove the rate),
   * `rate-limited` (a 429 paused everything for `waitMs`), `quota-suspected` (429s persisted:
   * callers are refused until a probe succeeds), `resumed` (a probe succeeded) and `rate` (the
   * adaptive rate changed).
   */
  | SchedulerEvent
  /** A failure other than 429 is repeated after `delayMs`. */
  | { type: "retried"; request: RequestKind; status?: number; delayMs: number; attempt: number }
  /** Geoapify accepted a job; `jobId` is absent when the POST answered with the results. */
  | {
      type: "submitted";
      jobId?: string;
      kind: JobKind;
      size: number;
      credits: number;
      tag?: number;
    }
  | { type: "polled"; jobId: string; status: number; ageMs: number }
  /** A job's results were collected; `background`: no caller was waiting for them any more. */
  | {
      type: "job-done";
      jobId?: string;
      kind: JobKind;
      size: number;
      durationMs: number;
      polls: number;
      requests: number;
      background: boolean;
      tag?: number;
    }
  | {
      type: "job-failed";
      jobId?: string;
      kind: JobKind;
      size: number;
      error: GeoapifyErrorKind;
      tag?: number;
    }
  /** A caller's wait limit passed; the job goes on being collected in the background. */
  | { type: "still-running"; jobId: string; size: number; tag?: number };
