// A Geoapify-compatible geocoding server for development, tests and the benchmark: it speaks the
// batch geocoding API (submit and poll, search and reverse) and the single-address lookups on
// loopback, with no account and no internet, within Geoapify's limits when asked to (a per-key
// rate, an outage, a spent quota, slow jobs). Wire types come from src/geoapify/types.ts so the
// client and the emulator cannot drift apart.
//
// What an address or a coordinate resolves to, and how `lang` and `filter=countrycode:` change
// it: ./gazetteer.ts. Limits: ./limits.ts. The dev-only control API: ./control.ts.
//
// Limits and faults are judged when a request arrives, in this order: an injected fault, the API
// key (401), an outage, a spent quota, the rate. Jobs need no timers (./jobs.ts). The only timers
// are response delays (`latencyMs`), alive only while a request is open, so an idle emulator never
// keeps a process running.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { BatchJobPending } from "../../geoapify/types";
import { CONTROL_PREFIX, controlAnswer, type Controllable } from "./control";
import { FaultScript } from "./faults";
import { geocode, reverseGeocode } from "./gazetteer";
import {
  ClientError,
  cutOff,
  Delays,
  errorAnswer,
  origin,
  readBody,
  TOO_LARGE,
  tooManyRequests,
  writeAnswer,
  type Answer,
} from "./http";
import { JobStore, jobDurationMs, type Job } from "./jobs";
import { limitReached, RollingRateLimiter } from "./limits";
import { checkDuration, checkModes, initialModes, settingsFrom, type Settings } from "./modes";
import {
  classify,
  lookupOptions,
  parseBatchBody,
  queryLonLat,
  REVERSE_PATH,
  SEARCH_PATH,
  sentOptions,
  singleAnswer,
  toAddress,
  toLonLat,
} from "./requests";
import type {
  EmulatorModes,
  EmulatorOptions,
  EmulatorStats,
  Fault,
  LimitReason,
  RecordedRequest,
  RequestKind,
} from "./types";

export type * from "./types";

/** Inputs kept in `RecordedRequest.inputs` across the whole log; older requests lose theirs. */
export const RECORDED_INPUTS_LIMIT = 100_000;

export class GeoapifyEmulator implements Controllable {
  private readonly settings: Settings;
  private readonly now: () => number;
  private current: EmulatorModes;
  private log: RecordedRequest[] = [];
  private readonly jobs = new JobStore();
  private submitted: string[][] = [];
  private readonly faults = new FaultScript();
  private readonly limiter = new RollingRateLimiter();
  /** Requests whose inputs are kept, oldest first, and how many inputs they hold. */
  private withInputs: RecordedRequest[] = [];
  private inputsKept = 0;
  private readonly delays = new Delays();
  private server: Server | undefined;

  constructor(options: EmulatorOptions = {}) {
    this.settings = settingsFrom(options);
    this.now = options.now ?? Date.now;
    this.current = initialModes(this.settings, this.now());
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
    this.delays.cancelAll();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Every API request received since construction or `reset()`, in arrival order. */
  get requests(): readonly RecordedRequest[] {
    return this.log;
  }

  /** The modes in force (a copy). */
  get modes(): EmulatorModes {
    return { ...this.current, invalidKeys: [...this.current.invalidKeys] };
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

  /** Requests by kind and status, and the 429s of each emulated limit. */
  stats(): EmulatorStats {
    const byKind: EmulatorStats["byKind"] = {};
    const rejected: Record<LimitReason, number> = { rate: 0, outage: 0, quota: 0 };
    let total = 0;
    for (const request of this.log) {
      if (request.method === "OPTIONS") continue;
      total++;
      const statuses = (byKind[request.kind] ??= {});
      statuses[request.status] = (statuses[request.status] ?? 0) + 1;
      if (request.limit) rejected[request.limit]++;
    }
    return { now: this.now(), modes: this.modes, total, byKind, rejected };
  }

  /** Addresses of each accepted forward-geocoding job, in submission order. */
  jobsSubmitted(): string[][] {
    return this.submitted.map((addresses) => [...addresses]);
  }

  /** Appends one-shot faults to the script. */
  inject(...faults: Fault[]): void {
    this.faults.add(faults);
  }

  /** Changes behaviour from the next request on; jobs already submitted keep their duration. */
  set(mode: Partial<EmulatorModes>): void {
    checkModes(mode);
    this.current = { ...this.current, ...mode };
    if (mode.invalidKeys) this.current.invalidKeys = [...mode.invalidKeys];
  }

  /** Answers every API request 429 from `afterMs` from now, for `durationMs`; 0 ends an outage. */
  startOutage(durationMs: number, afterMs = 0): void {
    const from = this.now() + checkDuration("afterMs", afterMs);
    this.set({ outageFrom: from, outageUntil: from + checkDuration("durationMs", durationMs) });
  }

  /** Forgets requests, jobs and faults, and puts every mode back to the constructor options. */
  reset(): void {
    this.log = [];
    this.jobs.clear();
    this.submitted = [];
    this.faults.clear();
    this.limiter.clear();
    this.withInputs = [];
    this.inputsKept = 0;
    this.current = initialModes(this.settings, this.now());
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    if (this.settings.controlApi && url.pathname.startsWith(CONTROL_PREFIX)) {
      return this.control(req, res, url.pathname);
    }
    const apiKey = url.searchParams.get("apiKey") ?? "";
    const record: RecordedRequest = {
      kind: method === "OPTIONS" ? "other" : classify(method, url.pathname),
      method,
      status: 0,
      apiKeyPresent: apiKey !== "",
      at: this.now(),
    };
    const options = sentOptions(url);
    if (options) record.options = options;
    this.log.push(record);
    const refusal = method === "OPTIONS" ? undefined : this.admit(record, apiKey);

    const body = method === "POST" ? await readBody(req) : "";
    if (body === undefined) return;
    if (!(await this.delays.wait(this.current.latencyMs, res))) {
      req.socket.destroy();
      return;
    }

    let answer: Answer;
    try {
      if (method === "OPTIONS") {
        answer = { status: 204, body: undefined, headers: this.preflightHeaders(req) };
      } else if (refusal) {
        answer = refusal;
      } else if (body === TOO_LARGE) {
        answer = errorAnswer(413, "Payload content length greater than maximum allowed");
      } else {
        answer = this.cutIfAsked(record.kind, this.answer(record, url, apiKey, body, origin(req)));
      }
    } catch (error) {
      answer =
        error instanceof ClientError
          ? errorAnswer(error.status, error.message)
          : errorAnswer(500, "Request failed, please try again later");
    }
    record.status = writeAnswer(req, res, answer, this.corsHeaders());
  }

  /** The answer that replaces the request's own, if a fault, the key or a limit refuses it. */
  private admit(record: RecordedRequest, apiKey: string): Answer | undefined {
    if (record.kind === "other") return errorAnswer(404, "Not Found");
    const fault = this.faults.takeAnswer(record.kind);
    if (fault) return fault;
    if (apiKey === "" || this.current.invalidKeys.includes(apiKey)) {
      return errorAnswer(401, "Invalid apiKey");
    }
    // After the key check: limits belong to a key, so an unknown key is still a 401.
    const limit = limitReached(this.current, this.limiter, apiKey, record.at);
    if (!limit) return undefined;
    record.limit = limit;
    return tooManyRequests(this.current.retryAfterSeconds);
  }

  /** Cuts the body of a batch answer off mid-JSON while `cutSubmits`/`cutPolls` count down. */
  private cutIfAsked(kind: RequestKind, answer: Answer): Answer {
    if (typeof answer !== "object" || "raw" in answer || answer.status >= 300) return answer;
    const mode =
      kind === "submit" || kind === "reverse-submit"
        ? "cutSubmits"
        : kind === "poll" || kind === "reverse-poll"
          ? "cutPolls"
          : undefined;
    if (mode === undefined || this.current[mode] === 0) return answer;
    this.current = { ...this.current, [mode]: this.current[mode] - 1 };
    return cutOff(answer);
  }

  private answer(
    record: RecordedRequest,
    url: URL,
    apiKey: string,
    body: string,
    requestOrigin: string
  ): Answer {
    switch (record.kind) {
      case "submit":
      case "reverse-submit":
        return this.submit(record, url, body, apiKey, requestOrigin);
      case "poll":
      case "reverse-poll":
        return this.poll(record, url, apiKey, requestOrigin);
      case "single": {
        const text = url.searchParams.get("text");
        if (!text) throw new ClientError(400, '"text" is required');
        return singleAnswer(url, geocode(text, lookupOptions(url)));
      }
      case "single-reverse":
        return singleAnswer(url, reverseGeocode(...queryLonLat(url), lookupOptions(url)));
      case "other":
        return errorAnswer(404, "Not Found");
    }
  }

  private submit(
    record: RecordedRequest,
    url: URL,
    text: string,
    apiKey: string,
    requestOrigin: string
  ): Answer {
    const options = lookupOptions(url);
    const items = parseBatchBody(text);
    record.addresses = items.length;
    const forward = record.kind === "submit";
    // Inputs are checked now (a bad one is a 400); the answers are worked out after the job is
    // accepted, as Geoapify does, so that a bench's submits do not stall the process the client
    // under test shares with the emulator (see JobStore.create).
    const addresses = forward ? items.map(toAddress) : [];
    const points = forward ? [] : items.map(toLonLat);
    const results = forward
      ? (index: number) => geocode(addresses[index], options)
      : (index: number) => reverseGeocode(...points[index], options);
    if (forward) this.submitted.push(items as string[]);
    this.keepInputs(record, items);

    const duration = jobDurationMs(this.current, items.length);
    const endpoint = forward ? SEARCH_PATH : REVERSE_PATH;
    const job = this.jobs.create(endpoint, items.length, results, this.now(), duration);
    record.jobId = job.id;
    // Geoapify answers 200 at once when a job is done before the submit returns.
    if (duration === 0 && !this.current.neverFinish) return this.resultsAnswer(record.kind, job);
    return this.pendingAnswer(job, apiKey, requestOrigin);
  }

  private poll(record: RecordedRequest, url: URL, apiKey: string, requestOrigin: string): Answer {
    const id = url.searchParams.get("id");
    if (!id) throw new ClientError(400, '"id" is required');
    record.jobId = id;
    const job = this.jobs.find(id, url.pathname, this.now());
    if (!job) return errorAnswer(404, "Job not found");
    if (this.current.neverFinish || this.now() < job.readyAt) {
      return this.pendingAnswer(job, apiKey, requestOrigin);
    }
    return this.resultsAnswer(record.kind, job);
  }

  private pendingAnswer(job: Job, apiKey: string, requestOrigin: string): Answer {
    const pollUrl = new URL(job.endpoint, requestOrigin);
    pollUrl.searchParams.set("id", job.id);
    pollUrl.searchParams.set("apiKey", apiKey);
    const body: BatchJobPending = { id: job.id, status: "pending", url: pollUrl.toString() };
    return { status: 202, body };
  }

  private resultsAnswer(kind: RequestKind, job: Job): Answer {
    return { status: 200, body: this.faults.corrupt(kind, job.results) };
  }

  /** Keeps a submit's inputs for tests, within RECORDED_INPUTS_LIMIT across the log. */
  private keepInputs(record: RecordedRequest, items: readonly unknown[]): void {
    record.inputs = items;
    this.withInputs.push(record);
    this.inputsKept += items.length;
    while (this.inputsKept > RECORDED_INPUTS_LIMIT && this.withInputs.length > 1) {
      const oldest = this.withInputs.shift()!;
      this.inputsKept -= oldest.inputs?.length ?? 0;
      delete oldest.inputs;
    }
  }

  private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const body = req.method === "POST" ? await readBody(req) : "";
    if (body === undefined) return;
    let answer: Answer;
    try {
      answer =
        body === TOO_LARGE
          ? errorAnswer(413, "Payload content length greater than maximum allowed")
          : controlAnswer(this, req, path, body);
    } catch {
      answer = errorAnswer(500, "Request failed, please try again later");
    }
    writeAnswer(req, res, answer, {});
  }

  private corsHeaders(): Record<string, string> {
    return this.settings.exposeRetryAfter
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
