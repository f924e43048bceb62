// A Geoapify-compatible geocoding server for development, tests and the benchmark: it speaks the
// batch geocoding API (submit, poll, reverse) and the single-address search on loopback, with no
// account and no internet. Wire types come from src/geoapify/types.ts so the client and the
// emulator cannot drift apart.
//
// What an address resolves to (details in ./gazetteer.ts): matching ignores case, whitespace,
// punctuation, accents and common street abbreviations. A gazetteer address gets its real
// coordinates; any other input containing a digit gets deterministic synthetic coordinates
// derived from a hash of its normalised text (result_type "building", confidence 0.5, formatted
// echoing the input); anything else is not found and its result holds only `query`.
//
// Jobs need no timers: a job records when it will be ready and each poll compares that with
// `now()`. The only timers are response delays (`latencyMs`), alive only while a request is
// open, so an idle emulator never keeps a process running.

import { randomBytes } from "node:crypto";
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { TLSSocket } from "node:tls";
import {
  MAX_BATCH_SIZE,
  type ApiErrorBody,
  type BatchJobPending,
  type BatchResult,
} from "../../geoapify/types";
import { geocode, reverseGeocode, type ReverseResult } from "./gazetteer";

export interface EmulatorOptions {
  /** Delay before every answer, in ms, to model the network round trip. Default 0. */
  latencyMs?: number;
  /** Fixed part of a batch job's processing time, in ms. Default 300. */
  jobBaseMs?: number;
  /** Processing time added per address of a batch job, in ms. Default 0.2. */
  jobPerAddressMs?: number;
  /** API keys answered with 401. Default none: any non-empty key is accepted. */
  invalidKeys?: string[];
  /**
   * Whether CORS responses expose `Retry-After` to browser scripts. Default true; false models a
   * server whose 429s carry a header the page cannot read.
   */
  exposeRetryAfter?: boolean;
  /**
   * Clock for job readiness, result expiry and `RecordedRequest.at`, in ms. Default `Date.now`.
   * Latency is always real time: it is how long a socket waits, not emulated time.
   */
  now?: () => number;
}

/** Settings that can also change while the emulator runs, through `set()`. */
export interface EmulatorModes {
  /** Jobs stay pending, however long they are polled. */
  neverFinish: boolean;
  /** Every API request is answered 429 "Quota exceeded", as when the daily credits are spent. */
  quotaExhausted: boolean;
  latencyMs: number;
  jobBaseMs: number;
  jobPerAddressMs: number;
  invalidKeys: readonly string[];
}

export type RequestKind =
  "submit" | "poll" | "single" | "reverse-submit" | "reverse-poll" | "other";

export interface RecordedRequest {
  kind: RequestKind;
  method: string;
  /** HTTP status answered; 0 while the request is still open, or when it was dropped. */
  status: number;
  /** Number of inputs in a submitted body that was an array. */
  addresses?: number;
  /** Job created by a submit, or asked for by a poll. */
  jobId?: string;
  /** Whether the request carried an API key. The key itself is never recorded. */
  apiKeyPresent: boolean;
  /** Arrival time, from the `now` clock. */
  at: number;
}

/** Which requests a fault may hit. "submit" and "poll" cover the reverse endpoints too. */
export type FaultTarget = "submit" | "poll" | "single" | "any";

/** Faults answered in place of the request. */
export type AnswerFault =
  | { status: 429; retryAfterSeconds?: number; message?: string }
  | { status: 500 | 502 | 503 }
  | { status: 401 }
  /** Destroy the socket without answering. */
  | "drop"
  /** 200 whose body is not JSON. */
  | "malformed";

/**
 * Faults that corrupt a finished batch answer: the 200 of a poll, or of a submit whose job
 * finished at once. They wait in the script until such an answer comes.
 */
export type ResultFault =
  /** The result array lacks its last element. */
  | "wrong-length"
  /** The results come in reverse input order. */
  | "reorder";

/** A one-shot fault. Each fires on the first matching request, in the order injected. */
export type Fault =
  | { on?: FaultTarget; response: AnswerFault }
  | { on?: "submit" | "poll" | "any"; response: ResultFault };

/** Geoapify keeps finished results for 24 hours. */
const RESULT_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Comfortably above 1,000 addresses of 1,024 characters. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const SEARCH_PATH = "/v1/batch/geocode/search";
const REVERSE_PATH = "/v1/batch/geocode/reverse";
const SINGLE_PATH = "/v1/geocode/search";

interface Job {
  id: string;
  endpoint: typeof SEARCH_PATH | typeof REVERSE_PATH;
  results: BatchResult[] | ReverseResult[];
  readyAt: number;
}

type Answer =
  { status: number; body: unknown; headers?: Record<string, string> } | { raw: string } | "drop";

/** Thrown by request parsing to answer a client error. */
class ClientError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

function classify(method: string, path: string): RequestKind {
  if (method === "POST" && path === SEARCH_PATH) return "submit";
  if (method === "GET" && path === SEARCH_PATH) return "poll";
  if (method === "POST" && path === REVERSE_PATH) return "reverse-submit";
  if (method === "GET" && path === REVERSE_PATH) return "reverse-poll";
  if (method === "GET" && path === SINGLE_PATH) return "single";
  return "other";
}

function faultTargets(target: FaultTarget, kind: RequestKind): boolean {
  switch (target) {
    case "any":
      return kind !== "other";
    case "submit":
      return kind === "submit" || kind === "reverse-submit";
    case "poll":
      return kind === "poll" || kind === "reverse-poll";
    case "single":
      return kind === "single";
  }
}

function isResultFault(fault: Fault): fault is Extract<Fault, { response: ResultFault }> {
  return fault.response === "wrong-length" || fault.response === "reorder";
}

function errorAnswer(status: number, message: string, headers?: Record<string, string>): Answer {
  const body: ApiErrorBody = {
    statusCode: status,
    error: STATUS_CODES[status] ?? "Error",
    message,
  };
  return { status, body, headers };
}

function checkDuration(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
  return value;
}

function parseBatchBody(text: string): unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ClientError(400, "Invalid request payload JSON format");
  }
  if (!Array.isArray(body)) throw new ClientError(400, '"body" must be an array');
  if (body.length === 0) throw new ClientError(400, '"body" must contain at least 1 items');
  if (body.length > MAX_BATCH_SIZE) {
    throw new ClientError(400, `"body" must contain less than or equal to ${MAX_BATCH_SIZE} items`);
  }
  return body;
}

function isLongitude(value: unknown): value is number {
  return typeof value === "number" && value >= -180 && value <= 180;
}

function isLatitude(value: unknown): value is number {
  return typeof value === "number" && value >= -90 && value <= 90;
}

/** Accepts both documented coordinate forms: `[lon, lat]` and `{ lon, lat }`. */
function toLonLat(item: unknown, index: number): [number, number] {
  if (Array.isArray(item) && item.length === 2 && isLongitude(item[0]) && isLatitude(item[1])) {
    return [item[0], item[1]];
  }
  if (typeof item === "object" && item !== null && !Array.isArray(item)) {
    const { lon, lat } = item as { lon?: unknown; lat?: unknown };
    if (isLongitude(lon) && isLatitude(lat)) return [lon, lat];
  }
  throw new ClientError(400, `"body[${index}]" must be a [lon, lat] array or a {lon, lat} object`);
}

/** Marks a body that exceeded MAX_BODY_BYTES; it was drained but not kept. */
const TOO_LARGE = Symbol("too large");

/** Resolves the body text, TOO_LARGE, or undefined when the client went away. */
function readBody(req: IncomingMessage): Promise<string | typeof TOO_LARGE | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining so that the 413 can still be written; just stop buffering.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () =>
      resolve(size > MAX_BODY_BYTES ? TOO_LARGE : Buffer.concat(chunks).toString())
    );
    // After "end" these are no-ops: a promise settles once.
    req.on("error", () => resolve(undefined));
    req.on("close", () => resolve(undefined));
  });
}

export class GeoapifyEmulator {
  private readonly options: Required<Omit<EmulatorOptions, "now">>;
  private readonly now: () => number;
  private modes: EmulatorModes;
  private log: RecordedRequest[] = [];
  private jobs = new Map<string, Job>();
  private submitted: string[][] = [];
  private faults: Fault[] = [];
  /** Cancels each open latency delay; the request is then dropped. */
  private readonly pendingDelays = new Set<() => void>();
  private server: Server | undefined;

  constructor(options: EmulatorOptions = {}) {
    this.options = {
      latencyMs: checkDuration("latencyMs", options.latencyMs ?? 0),
      jobBaseMs: checkDuration("jobBaseMs", options.jobBaseMs ?? 300),
      jobPerAddressMs: checkDuration("jobPerAddressMs", options.jobPerAddressMs ?? 0.2),
      invalidKeys: options.invalidKeys ?? [],
      exposeRetryAfter: options.exposeRetryAfter ?? true,
    };
    this.now = options.now ?? Date.now;
    this.modes = this.initialModes();
  }

  /** A node:http request listener, so a test or dev server can mount it. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    void this.serve(req, res);
  };

  /** Starts a loopback server; resolves its base URL, e.g. `http://127.0.0.1:PORT`. */
  listen(port = 0, host: "127.0.0.1" | "localhost" = "127.0.0.1"): Promise<string> {
    if (this.server) return Promise.reject(new Error("The emulator is already listening"));
    const server = createServer(this.handle);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", (error) => {
        this.server = undefined;
        reject(error);
      });
      server.listen(port, host, () => {
        const address = server.address();
        const boundPort = typeof address === "object" && address ? address.port : port;
        resolve(`http://${host}:${boundPort}`);
      });
    });
  }

  /** Closes the server and every open connection, and cancels pending delayed answers. */
  async close(): Promise<void> {
    for (const cancel of [...this.pendingDelays]) cancel();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Every request received since construction or `reset()`, in arrival order. */
  get requests(): readonly RecordedRequest[] {
    return this.log;
  }

  /**
   * Totals for benchmarks and tests. `submit`, `poll` and `single` count requests to those
   * endpoints whatever their answer; `total` counts every request except CORS preflights;
   * `addressesSubmitted` and `largestJob` cover accepted forward-geocoding jobs only.
   */
  counts(): {
    submit: number;
    poll: number;
    single: number;
    total: number;
    addressesSubmitted: number;
    largestJob: number;
  } {
    const ofKind = (kind: RequestKind) => this.log.filter((r) => r.kind === kind).length;
    return {
      submit: ofKind("submit"),
      poll: ofKind("poll"),
      single: ofKind("single"),
      total: this.log.filter((r) => r.method !== "OPTIONS").length,
      addressesSubmitted: this.submitted.reduce((sum, job) => sum + job.length, 0),
      largestJob: this.submitted.reduce((largest, job) => Math.max(largest, job.length), 0),
    };
  }

  /** Addresses of each accepted forward-geocoding job, in submission order. */
  jobsSubmitted(): string[][] {
    return this.submitted.map((addresses) => [...addresses]);
  }

  /** Appends one-shot faults to the script. */
  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Changes behaviour from the next request on; jobs already submitted keep their duration. */
  set(mode: Partial<EmulatorModes>): void {
    for (const name of ["latencyMs", "jobBaseMs", "jobPerAddressMs"] as const) {
      const value = mode[name];
      if (value !== undefined) checkDuration(name, value);
    }
    this.modes = { ...this.modes, ...mode };
    if (mode.invalidKeys) this.modes.invalidKeys = [...mode.invalidKeys];
  }

  /** Forgets requests, jobs and faults, and puts every mode back to the constructor options. */
  reset(): void {
    this.log = [];
    this.jobs = new Map();
    this.submitted = [];
    this.faults = [];
    this.modes = this.initialModes();
  }

  private initialModes(): EmulatorModes {
    const { latencyMs, jobBaseMs, jobPerAddressMs, invalidKeys } = this.options;
    return {
      neverFinish: false,
      quotaExhausted: false,
      latencyMs,
      jobBaseMs,
      jobPerAddressMs,
      invalidKeys: [...invalidKeys],
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const apiKey = url.searchParams.get("apiKey") ?? "";
    const record: RecordedRequest = {
      kind: method === "OPTIONS" ? "other" : classify(method, url.pathname),
      method,
      status: 0,
      apiKeyPresent: apiKey !== "",
      at: this.now(),
    };
    this.log.push(record);

    const body = method === "POST" ? await readBody(req) : "";
    if (body === undefined) return;
    if (!(await this.delay(this.modes.latencyMs, res))) {
      req.socket.destroy();
      return;
    }

    let answer: Answer;
    try {
      if (method === "OPTIONS") {
        answer = { status: 204, body: undefined, headers: this.preflightHeaders(req) };
      } else if (body === TOO_LARGE) {
        answer = errorAnswer(413, "Payload content length greater than maximum allowed");
      } else {
        answer = this.answer(record, url, apiKey, body, this.origin(req));
      }
    } catch (error) {
      answer =
        error instanceof ClientError
          ? errorAnswer(error.status, error.message)
          : errorAnswer(500, "Request failed, please try again later");
    }
    this.send(req, res, record, answer);
  }

  private answer(
    record: RecordedRequest,
    url: URL,
    apiKey: string,
    body: string,
    origin: string
  ): Answer {
    this.forgetExpiredJobs();
    if (record.kind === "other") return errorAnswer(404, "Not Found");

    const fault = this.takeFault(record.kind, false);
    if (fault && !isResultFault(fault)) return this.faultAnswer(fault.response);

    if (apiKey === "" || this.modes.invalidKeys.includes(apiKey)) {
      return errorAnswer(401, "Invalid apiKey");
    }
    // After the key check: a quota belongs to a key, so an unknown key is still a 401.
    if (this.modes.quotaExhausted) return errorAnswer(429, "Quota exceeded");

    switch (record.kind) {
      case "submit":
      case "reverse-submit":
        return this.submit(record, body, apiKey, origin);
      case "poll":
      case "reverse-poll":
        return this.poll(record, url, apiKey, origin);
      case "single":
        return this.single(url);
    }
  }

  private submit(record: RecordedRequest, text: string, apiKey: string, origin: string): Answer {
    const items = parseBatchBody(text);
    record.addresses = items.length;
    const endpoint = record.kind === "submit" ? SEARCH_PATH : REVERSE_PATH;
    let results: Job["results"];
    if (endpoint === SEARCH_PATH) {
      const addresses = items.map((item, index) => {
        if (typeof item !== "string") {
          throw new ClientError(400, `"body[${index}]" must be a string`);
        }
        return item;
      });
      results = addresses.map(geocode);
      this.submitted.push(addresses);
    } else {
      results = items.map((item, index) => reverseGeocode(...toLonLat(item, index)));
    }

    const { jobBaseMs, jobPerAddressMs, neverFinish } = this.modes;
    const duration = jobBaseMs + jobPerAddressMs * items.length;
    const job: Job = {
      id: randomBytes(16).toString("hex"),
      endpoint,
      results,
      readyAt: this.now() + duration,
    };
    this.jobs.set(job.id, job);
    record.jobId = job.id;
    // Geoapify answers 200 at once when a job is done before the submit returns.
    if (duration === 0 && !neverFinish) return this.resultsAnswer(record.kind, job);
    return this.pendingAnswer(job, apiKey, origin);
  }

  private poll(record: RecordedRequest, url: URL, apiKey: string, origin: string): Answer {
    const id = url.searchParams.get("id");
    if (!id) throw new ClientError(400, '"id" is required');
    record.jobId = id;
    const job = this.jobs.get(id);
    if (!job || job.endpoint !== url.pathname) return errorAnswer(404, "Job not found");
    if (this.modes.neverFinish || this.now() < job.readyAt) {
      return this.pendingAnswer(job, apiKey, origin);
    }
    return this.resultsAnswer(record.kind, job);
  }

  private single(url: URL): Answer {
    const text = url.searchParams.get("text");
    if (!text) throw new ClientError(400, '"text" is required');
    const { query, ...properties } = geocode(text);
    const found = properties.lat !== undefined && properties.lon !== undefined;
    if (url.searchParams.get("format") === "json") {
      return { status: 200, body: { results: found ? [properties] : [], query } };
    }
    // Without `format=json` Geoapify answers GeoJSON; a client that forgets it should notice.
    const features = found
      ? [
          {
            type: "Feature",
            properties,
            geometry: { type: "Point", coordinates: [properties.lon, properties.lat] },
          },
        ]
      : [];
    return { status: 200, body: { type: "FeatureCollection", features, query } };
  }

  private pendingAnswer(job: Job, apiKey: string, origin: string): Answer {
    const pollUrl = new URL(job.endpoint, origin);
    pollUrl.searchParams.set("id", job.id);
    pollUrl.searchParams.set("apiKey", apiKey);
    const body: BatchJobPending = { id: job.id, status: "pending", url: pollUrl.toString() };
    return { status: 202, body };
  }

  private resultsAnswer(kind: RequestKind, job: Job): Answer {
    const fault = this.takeFault(kind, true);
    let results: unknown[] = job.results;
    if (fault?.response === "reorder") results = [...results].reverse();
    if (fault?.response === "wrong-length") results = results.slice(0, -1);
    return { status: 200, body: results };
  }

  private faultAnswer(fault: AnswerFault): Answer {
    if (fault === "drop") return "drop";
    if (fault === "malformed") return { raw: '[{"query":{"text":' };
    switch (fault.status) {
      case 401:
        return errorAnswer(401, "Invalid apiKey");
      case 429:
        return errorAnswer(
          429,
          fault.message ?? "Too many requests, please slow down",
          fault.retryAfterSeconds === undefined
            ? undefined
            : { "Retry-After": String(fault.retryAfterSeconds) }
        );
      default:
        return errorAnswer(fault.status, "Request failed, please try again later");
    }
  }

  /** Removes and returns the first injected fault that applies to this request. */
  private takeFault(kind: RequestKind, forResults: boolean): Fault | undefined {
    const index = this.faults.findIndex(
      (fault) => isResultFault(fault) === forResults && faultTargets(fault.on ?? "any", kind)
    );
    return index === -1 ? undefined : this.faults.splice(index, 1)[0];
  }

  private forgetExpiredJobs(): void {
    const now = this.now();
    for (const [id, job] of this.jobs) {
      if (now - job.readyAt > RESULT_LIFETIME_MS) this.jobs.delete(id);
    }
  }

  /** Resolves true after `ms`, or false if `close()` cancelled the wait. */
  private delay(ms: number, res: ServerResponse): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (elapsed: boolean) => {
        clearTimeout(timer);
        this.pendingDelays.delete(cancel);
        res.off("close", cancel);
        resolve(elapsed);
      };
      const cancel = () => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      this.pendingDelays.add(cancel);
      // A client that gives up must not leave its timer behind.
      res.once("close", cancel);
    });
  }

  /** The poll URL must point back at whatever address the client used to reach us. */
  private origin(req: IncomingMessage): string {
    const protocol = (req.socket as TLSSocket).encrypted ? "https" : "http";
    const localPort = req.socket.localPort;
    return `${protocol}://${req.headers.host ?? `127.0.0.1:${localPort}`}`;
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    answer: Answer
  ): void {
    if (res.destroyed) return;
    if (answer === "drop") {
      req.socket.destroy();
      return;
    }
    const payload =
      "raw" in answer ? answer.raw : answer.body === undefined ? "" : JSON.stringify(answer.body);
    const status = "raw" in answer ? 200 : answer.status;
    record.status = status;
    res.writeHead(status, {
      ...this.corsHeaders(),
      ...(payload ? { "Content-Type": "application/json; charset=utf-8" } : {}),
      "Content-Length": Buffer.byteLength(payload),
      ...("raw" in answer ? {} : answer.headers),
    });
    res.end(payload);
  }

  private corsHeaders(): Record<string, string> {
    return this.options.exposeRetryAfter
      ? { "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After" }
      : { "Access-Control-Allow-Origin": "*" };
  }

  private preflightHeaders(req: IncomingMessage): Record<string, string> {
    return {
      "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
      "Access-Control-Allow-Headers":
        req.headers["access-control-request-headers"] ?? "Content-Type",
    };
  }
}
