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

import type {
  ApiErrorBody,
  BatchJobPending,
  BatchResult,
  ReverseBatchResult,
} from "../../../src/geoapify/types";

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

/** Trimmed, whitespace collapsed, lower-cased: the identity of an address. */
export function normalisedAddress(text: string): string {
  return text.trim().replace(/\s+/g, " ").toLowerCase();
}

/** Addresses containing the word "nowhere" are never found; all others are. */
const NEVER_FOUND = /\bnowhere\b/;

/** The place every server run answers for `text`: null for "not found". */
export function answerFor(text: string): { lat: number; lon: number } | null {
  const key = normalisedAddress(text);
  if (NEVER_FOUND.test(key)) return null;
  const hash = fnv1a(key);
  // Six decimals, as Geoapify sends: the cache must hand back exactly these doubles.
  return {
    lat: Math.round(((hash % 180_000_000) / 1_000_000 - 90) * 1e6) / 1e6,
    lon: Math.round((((hash >>> 3) % 360_000_000) / 1_000_000 - 180) * 1e6) / 1e6,
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
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

  /** Requests that POSTed a job (whatever the answer). */
  get submits(): ReceivedRequest[] {
    return this.requests.filter((request) => request.method === "POST");
  }

  get polls(): ReceivedRequest[] {
    return this.requests.filter((request) => request.method === "GET");
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
      const response = this.respond(received, step);
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
    const kind = JOB_PATHS[url.pathname];
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

/** 32 hex digits, as Geoapify's ids are. */
function jobId(serial: number): string {
  return serial.toString(16).padStart(32, "0");
}

function resultsOf(job: Job): Array<BatchResult | ReverseBatchResult> {
  return job.kind === "search" ? job.addresses.map(resultFor) : job.addresses.map(reverseResultFor);
}

/** The place every reverse job answers for "lat,lon": the point itself, named after it. */
export function reverseAnswerFor(input: string): ReverseBatchResult {
  const [lat, lon] = input.split(",").map(Number);
  return {
    query: { lon, lat },
    lat,
    lon,
    formatted: `Near ${input}`,
    name: `Point ${input}`,
    category: "building",
    distance: 12.5,
    result_type: "building",
    datasource: { sourcename: "openstreetmap", attribution: "© OpenStreetMap contributors" },
  };
}

function reverseResultFor(input: string): ReverseBatchResult {
  return reverseAnswerFor(input);
}

/** A reverse body, `[[lon, lat], ...]`, as "lat,lon" inputs; undefined when it is not one. */
function coordinates(body: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const pairs = Array.isArray(parsed) ? parsed : [];
    const valid = pairs.every(
      (pair) => Array.isArray(pair) && pair.length === 2 && pair.every(Number.isFinite)
    );
    return Array.isArray(parsed) && valid
      ? pairs.map(([lon, lat]: number[]) => `${lat},${lon}`)
      : undefined;
  } catch {
    return undefined;
  }
}

function pendingJob(origin: string, id: string): BatchJobPending {
  return { id, status: "pending", url: `${origin}/v1/batch/geocode/search?id=${id}` };
}

function resultFor(text: string): BatchResult {
  const place = answerFor(text);
  return place === null ? { query: { text } } : { query: { text }, ...place };
}

/** Bends a finished job's results the way the step says; the client must still match them. */
function shapeResults(results: BatchResult[], step: ScriptStep): BatchResult[] {
  const { behaviour, variant } = step;
  if (behaviour === "truncate") {
    return results.filter((_, index) => index !== variant % results.length);
  }
  if (behaviour === "extend") {
    return [...results, resultFor(`${variant} Unrequested Road`)];
  }
  if (behaviour !== "reorder") return results;
  const shift = variant % results.length;
  const rotated = [...results.slice(shift), ...results.slice(0, shift)];
  const ordered = variant & 1 ? rotated.reverse() : rotated;
  // A server may echo the query re-spelled; matching must tolerate case and spacing.
  return variant & 2
    ? ordered.map((result) => ({
        ...result,
        query: { text: ` ${result.query.text.toUpperCase()}  ` },
      }))
    : ordered;
}

function stringArray(body: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === "string")
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

const JSON_HEADERS = { "Content-Type": "application/json" };

function jsonAnswer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

/** Geoapify's error body; a 404 comes without a message. */
function errorAnswer(status: number, message?: string, headers: Record<string, string> = {}) {
  const error =
    status === 429
      ? "Too Many Requests"
      : status === 404
        ? "Not Found"
        : status >= 500
          ? "Server Error"
          : "Error";
  const body: Partial<ApiErrorBody> = { statusCode: status, error, message };
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** Waits `ms` of (fake) time, none for 0; rejects with the signal's reason as soon as it aborts. */
function delay(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    if (ms <= 0) {
      resolve();
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
