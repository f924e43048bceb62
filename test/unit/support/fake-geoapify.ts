// An in-memory Geoapify batch API for tests that run on Vitest's fake clock. Real HTTP and fake
// timers do not mix (a socket does not wait for fake time), so this fake is handed to the client
// as its `fetch`: it speaks the same wire format as Geoapify and the emulator, keeps its jobs on
// the fake clock, and answers each request according to the next step of a script, which is how
// a property test makes the server misbehave in reproducible ways. It can also enforce a rate
// (requests over it get Geoapify's 429), run a 429 outage, or behave as a spent daily quota: 429
// bodies are always the spec's `{"statusCode":429,"error":"Too Many Requests","message":"Quota
// exceeded"}`, for a burst and for the quota alike, as Geoapify sends them.
//
// What an address resolves to is a pure function of its normalised text (answerFor), so a test
// knows the right value for every call without asking the fake.

import type { BatchResult, ReverseBatchResult } from "../../../src/geoapify/types";
import {
  coordinates,
  cutOff,
  delay,
  errorAnswer,
  JSON_HEADERS,
  jsonAnswer,
  pendingJob,
  resultFor,
  reverseResultFor,
  shapeResults,
  stringArray,
} from "./fake-answers";

export { answerFor, normalisedAddress, reverseAnswerFor } from "./fake-answers";

/** Geoapify's limit, restated here so that the fake checks it independently of the client. */
const MAX_JOB_SIZE = 1000;

/** How the fake answers one request. */
export type Behaviour =
  /** Jobs finish after `jobMs`; a finished job's results come in input order. */
  | "ok"
  /** A POST answers 200 with the results at once instead of creating a job. */
  | "immediate"
  /** A finished job's results come rotated and, by `variant`, reversed or re-spelled. */
  | "reorder"
  /** A finished job's results lack one entry. */
  | "truncate"
  /** A finished job's results carry an extra entry for an address nobody asked for. */
  | "extend"
  /** 200 with a body that is not JSON. */
  | "malformed"
  /** The request's own answer (a submit creates its job), its body cut off mid-JSON. */
  | "cut-off"
  /** A POST creates a job that never finishes; a poll reports the job pending once more. */
  | "never-finish"
  /** 429 with the spec's body, with or without `Retry-After: 1` (by `variant`). */
  | "rate-limit"
  /** 429 with the spec's body and no Retry-After: a burst or a spent quota, alike on the wire. */
  | "quota"
  /** 500, 501, 502 or 503 (by `variant`). */
  | "server-error"
  /** 401: the key is refused. */
  | "auth"
  /** A poll answers 404, as for a job Geoapify no longer knows; a POST behaves as "ok". */
  | "lost-job"
  /** No answer: fetch rejects with TypeError("fetch failed"), as Node's fetch does. */
  | "drop";

export interface ScriptStep {
  behaviour: Behaviour;
  /** Fake-clock delay before the answer (or the drop). */
  latencyMs: number;
  /** For a POST that creates a job: how long the job runs. */
  jobMs: number;
  /** Picks among the behaviour's variants (status code, order, spelling). */
  variant: number;
}

/** Once the script is used up the fake behaves: jobs finish quickly and answer in order. */
const WELL_BEHAVED: ScriptStep = { behaviour: "ok", latencyMs: 1, jobMs: 50, variant: 0 };

export interface ReceivedRequest {
  method: string;
  url: URL;
  /** Request headers, to check that the API key travels only in the URL. */
  headers: Headers;
  /** The raw body of a POST. */
  body?: string;
  /** The addresses of a POST whose body was a JSON array of strings. */
  addresses?: string[];
  /** Fake-clock time (Date.now) of arrival, to check the rate. */
  at: number;
  /** Position in the fake's event order (see FakeGeoapify.nextSequence). */
  startedAt: number;
  /** Set when the request ended: with a status, or without an answer (dropped or aborted). */
  endedAt?: number;
  status?: number;
  answered?: boolean;
  behaviour: Behaviour;
}

export interface FakeGeoapifyOptions {
  /** The only key the fake accepts; any other key is answered 401. */
  apiKey: string;
  /** Origin the client must use, e.g. "http://127.0.0.1:9". */
  origin: string;
  /** One step per request, in arrival order; then WELL_BEHAVED. */
  script?: readonly ScriptStep[];
  /** Shared with the test's own events, so that requests and test events have one order. */
  nextSequence?: () => number;
  /** Requests arriving when this many arrived in the preceding 1000 ms get a 429. */
  ratePerSecond?: number;
  /** How long a job of `size` inputs runs; default the script step's `jobMs`. */
  jobMs?: (size: number) => number;
  /**
   * Fake time between the client's fetch of its `index`-th request (from 0) and the request's
   * arrival, as a stalled event loop or a slow upload delays it. Default none.
   */
  transitMs?: (index: number) => number;
}

interface Job {
  kind: "search" | "reverse";
  /** Addresses, or "lat,lon" for reverse jobs. */
  addresses: string[];
  /** Date.now() (fake) at which it finishes; Infinity for a job that never does. */
  readyAt: number;
}

export class FakeGeoapify {
  /** Every request, in arrival order. */
  readonly requests: ReceivedRequest[] = [];
  /** Statuses the fake has answered with, to tell which client failures it can explain. */
  readonly statusesSent = new Set<number>();
  /** Behaviours the fake has acted out: requests aborted before their answer do not count. */
  readonly behavioursUsed = new Set<Behaviour>();
  private readonly apiKey: string;
  private readonly origin: string;
  private readonly script: readonly ScriptStep[];
  private readonly jobs = new Map<string, Job>();
  private readonly sequence: () => number;
  private readonly ratePerSecond: number;
  private readonly jobMs: ((size: number) => number) | undefined;
  private readonly transitMs: (index: number) => number;
  private fetches = 0;
  private scriptIndex = 0;
  private lastJobId = 0;
  private open = 0;
  /** Every request answers 429 until this fake time (an outage); Infinity: the quota is spent. */
  private rateLimitedUntil = -Infinity;

  constructor(options: FakeGeoapifyOptions) {
    this.apiKey = options.apiKey;
    this.origin = options.origin;
    this.script = options.script ?? [];
    let counter = 0;
    this.sequence = options.nextSequence ?? (() => ++counter);
    this.ratePerSecond = options.ratePerSecond ?? Infinity;
    this.jobMs = options.jobMs;
    this.transitMs = options.transitMs ?? (() => 0);
  }

  /** 429 for every request for `ms` of fake time from now. */
  outage(ms: number): void {
    this.rateLimitedUntil = Date.now() + ms;
  }

  /** 429 for every request until `quotaSpent(false)`. */
  quotaSpent(spent: boolean): void {
    this.rateLimitedUntil = spent ? Infinity : -Infinity;
  }

  /** Forgets every job, as Geoapify does 24 h after it finished: polls get 404. */
  forgetJobs(): void {
    this.jobs.clear();
  }

  /** The most requests that arrived in any rolling 1000 ms. */
  maxPerSecond(): number {
    let most = 0;
    for (const [index, request] of this.requests.entries()) {
      const inWindow = this.requests.filter(
        (other, at) => at >= index && other.at < request.at + 1000
      ).length;
      most = Math.max(most, inWindow);
    }
    return most;
  }

  /** Single lookups (GET /v1/geocode/search|reverse). */
  get singles(): ReceivedRequest[] {
    return this.requests.filter((request) => SINGLE_PATHS[request.url.pathname] !== undefined);
  }

  /** Requests that POSTed a job (whatever the answer). */
  get submits(): ReceivedRequest[] {
    return this.requests.filter((request) => request.method === "POST");
  }

  get polls(): ReceivedRequest[] {
    return this.requests.filter(
      (request) => request.method === "GET" && JOB_PATHS[request.url.pathname] !== undefined
    );
  }

  /** Requests that have neither been answered nor failed yet. */
  get openRequests(): number {
    return this.open;
  }

  /** The client's `fetch`. Honours the request's AbortSignal, also while latency is pending. */
  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const signal = init?.signal ?? request.signal;
    await delay(this.transitMs(this.fetches++), signal);
    const step = this.script[this.scriptIndex++] ?? WELL_BEHAVED;
    const received: ReceivedRequest = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      at: Date.now(),
      startedAt: this.sequence(),
      behaviour: step.behaviour,
    };
    this.requests.push(received);
    this.open++;
    try {
      if (request.method === "POST") {
        received.body = await request.text();
        received.addresses = stringArray(received.body);
      }
      signal?.throwIfAborted();
      // Decided on arrival, like a server: the job exists even if the answer is then lost.
      const answer = this.respond(received, step);
      const response = step.behaviour === "cut-off" ? await cutOff(answer) : answer;
      await delay(step.latencyMs, signal);
      this.behavioursUsed.add(step.behaviour);
      if (step.behaviour === "drop") {
        throw new TypeError("fetch failed");
      }
      received.status = response.status;
      received.answered = true;
      this.statusesSent.add(response.status);
      return response;
    } finally {
      received.endedAt = this.sequence();
      this.open--;
    }
  };

  private respond(request: ReceivedRequest, step: ScriptStep): Response {
    const { url, method } = request;
    const kind = JOB_PATHS[url.pathname] ?? SINGLE_PATHS[url.pathname];
    if (url.origin !== this.origin || kind === undefined) {
      return errorAnswer(404, "Not Found");
    }
    if (url.searchParams.get("apiKey") !== this.apiKey || step.behaviour === "auth") {
      return errorAnswer(401, "Invalid apiKey");
    }
    const recent = this.requests.filter((other) => other.at > request.at - 1000).length;
    if (request.at < this.rateLimitedUntil || recent > this.ratePerSecond) {
      return errorAnswer(429, "Quota exceeded");
    }
    switch (step.behaviour) {
      case "quota":
        return errorAnswer(429, "Quota exceeded");
      case "rate-limit":
        return errorAnswer(429, "Quota exceeded", step.variant % 2 ? { "Retry-After": "1" } : {});
      case "server-error":
        return errorAnswer([500, 501, 502, 503][step.variant % 4], "Internal Server Error");
      case "malformed":
        return new Response("[{", { status: 200, headers: JSON_HEADERS });
    }
    if (SINGLE_PATHS[url.pathname]) return jsonAnswer(200, singleAnswer(kind, url));
    return method === "POST" ? this.submit(kind, request, step) : this.poll(url, step);
  }

  private submit(kind: "search" | "reverse", request: ReceivedRequest, step: ScriptStep): Response {
    const addresses = kind === "search" ? request.addresses : coordinates(request.body ?? "");
    if (!addresses || addresses.length === 0 || addresses.length > MAX_JOB_SIZE) {
      return errorAnswer(400, "Expected a JSON array of 1 to 1000 inputs");
    }
    const job = { kind, addresses, readyAt: Infinity };
    if (step.behaviour === "immediate") {
      return jsonAnswer(200, resultsOf(job));
    }
    const id = jobId(++this.lastJobId);
    const jobMs = this.jobMs?.(addresses.length) ?? step.jobMs;
    job.readyAt = step.behaviour === "never-finish" ? Infinity : Date.now() + jobMs;
    this.jobs.set(id, job);
    return jsonAnswer(202, pendingJob(this.origin, id));
  }

  private poll(url: URL, step: ScriptStep): Response {
    const id = url.searchParams.get("id") ?? "";
    const job = this.jobs.get(id);
    if (job === undefined || step.behaviour === "lost-job") {
      this.jobs.delete(id);
      return errorAnswer(404);
    }
    if (Date.now() < job.readyAt || step.behaviour === "never-finish") {
      return jsonAnswer(202, pendingJob(this.origin, id));
    }
    return jsonAnswer(
      200,
      job.kind === "search" ? shapeResults(job.addresses.map(resultFor), step) : resultsOf(job)
    );
  }
}

const JOB_PATHS: Record<string, "search" | "reverse" | undefined> = {
  "/v1/batch/geocode/search": "search",
  "/v1/batch/geocode/reverse": "reverse",
};

/** Single lookups (`format=json`), answered from the same places as the batch jobs. */
const SINGLE_PATHS: Record<string, "search" | "reverse" | undefined> = {
  "/v1/geocode/search": "search",
  "/v1/geocode/reverse": "reverse",
};

/** `{"results": [...]}`: the one place for the input, or none when it is not found. */
function singleAnswer(kind: "search" | "reverse", url: URL): { results: unknown[] } {
  const query = url.searchParams;
  if (kind === "reverse")
    return { results: [reverseResultFor(`${query.get("lat")},${query.get("lon")}`)] };
  const result = resultFor(query.get("text") ?? "");
  return { results: "lat" in result ? [result] : [] };
}

/** 32 hex digits, as Geoapify's ids are. */
function jobId(serial: number): string {
  return serial.toString(16).padStart(32, "0");
}

function resultsOf(job: Job): Array<BatchResult | ReverseBatchResult> {
  return job.kind === "search" ? job.addresses.map(resultFor) : job.addresses.map(reverseResultFor);
}
