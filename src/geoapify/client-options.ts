// The client's options and state, documented where they are declared.

import type { ClientEvent } from "./events";
import type { JobResult, JobSpec } from "./job-context";
import type { JobStore, LockManagerLike } from "./job-store";
import type { SchedulerPhase, Timers } from "./scheduler";
import type { RateChannel } from "./shared-rate";
import type { Credentials } from "./transport";

export interface GeoapifyClientOptions {
  /** Origin of the API, without `/v1`, e.g. "https://api.geoapify.com". */
  baseUrl: string;
  /** Sent only as the `apiKey` query parameter; hashed (SHA-256) wherever it is identified. */
  apiKey: string;
  /**
   * Who pays, where it is not the key: a team gateway's endpoint and user, whose token may
   * rotate. Hashed in place of the key to tell stored jobs and the rate channel apart.
   */
  account?: string;
  /**
   * Read before every request: the token to send as `apiKey` now (a rotated gateway token) and
   * an `Authorization: Bearer` token (Office SSO, for a team gateway only). Default: `apiKey`.
   */
  credentials?: () => Promise<Credentials>;
  /** The key's SHA-256 hash when the caller has it already (it hashes the key where it reads
   * it); default: hashed here. */
  keyHash?: Promise<string>;
  /** The plan's requests per second, polls included. Default 5 (the free plan). */
  ratePerSecond?: number;
  /** How long a caller waits for a job after Geoapify accepted it. Default 120_000. */
  waitLimitMs?: number;
  /** Where jobs in flight are kept across page loads. Default: memory only. */
  jobStore?: JobStore;
  /**
   * The credits gate, asked right before a submit with the count of new inputs and the credits
   * each costs: returns how many may be sent (the first N in order); the others resolve as
   * GeoapifyError "budget" and are not sent.
   */
  admit?: (inputs: number, creditsPerInput: number) => number;
  /** Observer for telemetry. Events never carry the key. */
  onEvent?: (event: ClientEvent) => void;
  /** Every collected job's results (awaited, background or resumed), inputs in the job's order. */
  onResults?: (job: JobSpec, results: readonly JobResult[]) => void;
  /** Default `globalThis.fetch`, looked up at request time. */
  fetch?: typeof fetch;
  /** Source of jitter in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Default the global setTimeout/clearTimeout, looked up at call time (fake timers work). */
  timers?: Timers;
  /** The Web Locks API for the job lease. Default `navigator.locks` where it exists. */
  locks?: LockManagerLike;
  /** The cross-runtime rate channel. Default a BroadcastChannel where it exists; `null`: none. */
  rateChannel?: (baseUrl: string, keyHash: string) => RateChannel | undefined;
  /** 429s with no other answer for this long mean the quota is spent. Default 60_000. */
  quotaAfterMs?: number;
  /** First wait between quota probes; doubles per failed probe. Default 300_000. */
  probeIntervalMs?: number;
  /** Longest wait between quota probes. Default 3_600_000. */
  maxProbeIntervalMs?: number;
  /** Base of the growing, jittered retry and 429 back-off. Default 1_000. */
  retryBaseDelayMs?: number;
  /** Longest single back-off; also caps Retry-After. Default 30_000. */
  maxRetryDelayMs?: number;
  /** Attempts per request for 5xx and lost connections, the first included. Default 4. */
  maxAttempts?: number;
  /** The lowest rate the 429 handling slows down to. Default 0.5. */
  minRatePerSecond?: number;
  /** Added to the 1 s window the rate is counted in, for the server's rounding. Default 100. */
  windowMarginMs?: number;
  /** Time limit on one HTTP exchange until its status arrives; expiry counts as no answer. Default 30_000. */
  requestTimeoutMs?: number;
}

export interface ClientState {
  phase: SchedulerPhase;
  ratePerSecond: number;
  /** While backing off or in the quota phase: when the next trial or probe may go out. */
  resumeAt?: number;
  jobsInFlight: number;
  queuedRequests: number;
}

export interface RunOptions {
  /** Ends the wait (not a submitted job: that is collected all the same). */
  signal?: AbortSignal;
  /**
   * Called once when this call has nothing more to submit: its new job was accepted (or
   * refused), or everything attached to running jobs. A caller that cuts work into jobs waits
   * for it before cutting the next, so inputs arriving meanwhile fill that job up.
   */
  onSent?: () => void;
  /**
   * When the inputs left to send (not covered by a running job) are this many or fewer, they go
   * as single lookups (`/v1/geocode/search|reverse`, 1 credit each) instead of a batch job:
   * one round trip instead of a job and its polls. Same scheduler, credits gate and delivery.
   * Default 0: always a job.
   */
  singlesUpTo?: number;
}
