// What the runtime promises every cell, checked against a record of one property run of the real
// Geocoder on the in-memory Geoapify (test/unit/geocoder.property.test.ts). Each check returns
// the violations it finds, as sentences, so one failing run reports all of them.

import { isDeepStrictEqual } from "node:util";
import type { GeoapifyErrorKind } from "../../../src/geoapify/errors";
import { jobParams, type LookupOptions } from "../../../src/places/lookup";
import {
  GeoBatchStoppedError,
  LookupFailedError,
  NotCachedError,
} from "../../../src/runtime/errors";
import type { TelemetryEvent } from "../../../src/runtime/telemetry";
import { answerFor, normalisedAddress, type FakeGeoapify } from "./fake-geoapify";
import { API_KEY } from "./runtime-harness";

/** The reason a test aborts a call with, so that its rejection can be traced to the call. */
export class CancelledByTest extends Error {
  constructor(readonly callIndex: number) {
    super(`call ${callIndex} cancelled`);
  }
}

export interface CallRecord {
  index: number;
  address: string;
  options: LookupOptions;
  /** Position in the run's event order when the call was made. */
  sequence: number;
  preview: boolean;
  controller?: AbortController;
  /** Aborted in the same tick as it was made. */
  cancelledAtOnce: boolean;
  /** Aborted later, while it was (quiescently) pending. */
  cancelledWhilePending: boolean;
  /** Pending, and not cancelled, when close() was called. */
  pendingAtClose: boolean;
  madeAfterClose: boolean;
  status: "pending" | "fulfilled" | "rejected";
  value?: unknown;
  reason?: unknown;
}

/** A job Geoapify accepted (a 202 the client read), by the id it answered. */
export interface AcceptedJob {
  params: string;
  keys: string[];
  /** When its submit ended, in the run's event order. */
  acceptedAt: number;
}

export interface RunRecord {
  fake: FakeGeoapify;
  calls: readonly CallRecord[];
  jobs: ReadonlyMap<string, AcceptedJob>;
  /** Telemetry with its position in the run's event order. */
  telemetry: ReadonlyArray<{ sequence: number; event: TelemetryEvent }>;
  ratePerSecond: number;
  quotaAfterMs: number;
  requestTimeoutMs: number;
}

/** A job group as a POST's query shows it: the sorted options, without the key. */
export function paramsOf(options: LookupOptions): string {
  const params = new URLSearchParams(jobParams(options));
  params.sort();
  return params.toString();
}

export function paramsOfUrl(url: URL): string {
  const params = new URLSearchParams(url.search);
  params.delete("apiKey");
  params.sort();
  return params.toString();
}

/**
 * Whether 429s persisted long enough to conclude the quota is spent: two 429 answers `quotaAfter`
 * apart (the later one's answer may come up to a request timeout after it was sent), with no
 * other answer to a request sent after the first 429 had certainly arrived. Requests sent then
 * are the scheduler's trials, and any answer to a trial but a 429 ends the streak.
 */
export function quotaCanBeConcluded(run: RunRecord): boolean {
  const requests = run.fake.requests;
  const limited = requests.filter((request) => request.status === 429);
  return limited.some((first) =>
    limited.some(
      (last) =>
        last.at + run.requestTimeoutMs - first.at >= run.quotaAfterMs &&
        !requests.some(
          (other) =>
            other.answered === true &&
            other.status !== 429 &&
            other.at >= first.at + run.requestTimeoutMs &&
            other.at <= last.at
        )
    )
  );
}

/** The failure kinds that what the fake did can explain. */
export function explainableKinds(run: RunRecord): Set<GeoapifyErrorKind> {
  const { fake } = run;
  const kinds = new Set<GeoapifyErrorKind>();
  const statuses = [...fake.statusesSent];
  if (fake.requests.some((request) => request.endedAt !== undefined && !request.answered)) {
    kinds.add("network");
  }
  if (statuses.includes(401)) kinds.add("auth");
  if (statuses.includes(404)) kinds.add("expired");
  if (statuses.some((status) => status >= 500)) kinds.add("server");
  const unreadable = ["malformed", "cut-off", "truncate"] as const;
  if (unreadable.some((behaviour) => fake.behavioursUsed.has(behaviour))) {
    kinds.add("malformed");
  }
  if (run.jobs.size > 0) kinds.add("still-running");
  if (quotaCanBeConcluded(run)) kinds.add("quota");
  return kinds;
}

/** Every call settled once, with the right value or a documented error the fake explains. */
export function checkCalls(run: RunRecord): string[] {
  const explainable = explainableKinds(run);
  const violations: string[] = [];
  for (const call of run.calls) {
    const label = `call ${call.index} (${JSON.stringify(call.address)}, ${paramsOf(call.options)})`;
    const expected = answerFor(call.address);
    const rightValue = call.status === "fulfilled" && isDeepStrictEqual(call.value, expected);
    const reason = call.reason;
    const ownCancellation = reason instanceof CancelledByTest && reason.callIndex === call.index;
    const stopped = reason instanceof GeoBatchStoppedError;
    const fail = (what: string) => violations.push(`${label}: ${outcomeOf(call)} ${what}`);
    if (call.status === "pending") {
      fail("after the drain");
    } else if (call.madeAfterClose || call.pendingAtClose) {
      if (!stopped) fail("instead of GeoBatchStoppedError");
    } else if (call.cancelledAtOnce || call.cancelledWhilePending) {
      if (!ownCancellation) fail("instead of its own cancellation");
    } else if (call.status === "fulfilled") {
      if (!rightValue) fail(`instead of ${JSON.stringify(expected)}`);
    } else if (call.preview) {
      if (!(reason instanceof NotCachedError)) fail("from a preview");
    } else if (!(reason instanceof LookupFailedError) || !explainable.has(reason.kind)) {
      fail("which the fake cannot explain");
    }
  }
  return violations;
}

/** What Geoapify received: within the rate, only wanted addresses, nothing paid twice. */
export function checkRequests(run: RunRecord): string[] {
  const { fake, calls, jobs, telemetry } = run;
  const violations: string[] = [];
  const most = fake.maxPerSecond();
  if (most > run.ratePerSecond) violations.push(`${most} requests in one second`);
  const ended = new Map<string, number>();
  for (const { sequence, event } of telemetry) {
    if ((event.type === "job-done" || event.type === "job-failed") && event.jobId) {
      ended.set(event.jobId, sequence);
    }
  }
  const dispatches = telemetry.filter(({ event }) => event.type === "dispatched");
  for (const [index, post] of fake.submits.entries()) {
    const keys = (post.addresses ?? []).map(normalisedAddress);
    const params = paramsOfUrl(post.url);
    if (keys.length === 0 || keys.length > 1000) {
      violations.push(`POST ${index} carries ${keys.length} addresses`);
    }
    if (new Set(keys).size !== keys.length) violations.push(`POST ${index} repeats an address`);
    for (const key of keys) {
      const wanted = calls.some(
        (call) =>
          !call.cancelledAtOnce &&
          !call.preview &&
          call.sequence < post.startedAt &&
          paramsOf(call.options) === params &&
          normalisedAddress(call.address) === key
      );
      if (!wanted) violations.push(`POST ${index} sends ${key} (${params}), which nobody wanted`);
      for (const [id, job] of jobs) {
        const running =
          job.acceptedAt < post.startedAt && (ended.get(id) ?? Infinity) > post.startedAt;
        if (running && job.params === params && job.keys.includes(key)) {
          violations.push(`POST ${index} pays again for ${key}, still in job ${id}`);
        }
      }
    }
  }
  // A POST without an answer may have created a job: the client must not send it again itself.
  // The same addresses may only go out again in a batch cut after that POST ended.
  for (const [index, lost] of fake.submits.entries()) {
    if (lost.answered || lost.endedAt === undefined) continue;
    const lostKeys = new Set((lost.addresses ?? []).map(normalisedAddress));
    for (const later of fake.submits.slice(index + 1)) {
      const overlaps = (later.addresses ?? []).some((text) =>
        lostKeys.has(normalisedAddress(text))
      );
      if (!overlaps || paramsOfUrl(later.url) !== paramsOfUrl(lost.url)) continue;
      const cut = dispatches.some(
        ({ sequence }) => sequence > (lost.endedAt as number) && sequence < later.startedAt
      );
      if (!cut) violations.push(`POST ${index} was sent again after it got no answer`);
    }
  }
  return violations;
}

/**
 * A call that settled still-running, whose job was then collected in full, is answered from the
 * cache: `preview` asks the geocoder for the call's lookup without sending anything.
 */
export async function checkCollected(
  run: Pick<RunRecord, "fake" | "jobs" | "telemetry">,
  late: readonly CallRecord[],
  preview: (call: CallRecord) => Promise<unknown>
): Promise<string[]> {
  const done = new Set(
    run.telemetry.flatMap(({ event }) =>
      event.type === "job-done" && event.jobId ? [event.jobId] : []
    )
  );
  // A truncated answer leaves one input without a result, which is not cached.
  const truncated = (id: string) =>
    run.fake.polls.some(
      (poll) => poll.url.searchParams.get("id") === id && poll.behaviour === "truncate"
    );
  const violations: string[] = [];
  for (const call of late) {
    const key = normalisedAddress(call.address);
    const collected = [...run.jobs].some(
      ([id, job]) =>
        done.has(id) &&
        job.params === paramsOf(call.options) &&
        job.keys.includes(key) &&
        !truncated(id)
    );
    if (!collected) continue;
    const cached = await preview(call).catch((reason: unknown) => reason);
    if (!isDeepStrictEqual(cached, answerFor(call.address))) {
      violations.push(`call ${call.index}: collected, yet the cache answers ${String(cached)}`);
    }
  }
  return violations;
}

/** The key is in request URLs' apiKey parameter and nowhere else. */
export function checkKeyNeverLeaks(run: RunRecord): string[] {
  const violations: string[] = [];
  for (const call of run.calls) {
    if (call.status === "rejected" && leaksKey(call.reason)) {
      violations.push(`call ${call.index} rejected with the key: ${String(call.reason)}`);
    }
  }
  for (const { event } of run.telemetry) {
    if (JSON.stringify(event).includes(API_KEY))
      violations.push(`event with the key: ${event.type}`);
  }
  for (const [index, request] of run.fake.requests.entries()) {
    const url = new URL(request.url);
    if (url.searchParams.get("apiKey") !== API_KEY)
      violations.push(`request ${index} lacks the key`);
    url.searchParams.delete("apiKey");
    const headers = JSON.stringify([...request.headers]);
    if ([url.href, headers, request.body ?? ""].some((text) => text.includes(API_KEY))) {
      violations.push(`request ${index} carries the key outside its apiKey parameter`);
    }
  }
  return violations;
}

/** Everywhere the key could leak from an error: message, stack, own properties, causes. */
function leaksKey(value: unknown): boolean {
  for (let error = value, depth = 0; error !== undefined && depth < 5; depth++) {
    if (!(error instanceof Error)) return String(error).includes(API_KEY);
    const text = [error.message, String(error.stack), JSON.stringify(error)].join("\n");
    if (text.includes(API_KEY)) return true;
    error = error.cause;
  }
  return false;
}

export function outcomeOf(call: CallRecord): string {
  if (call.status === "pending") return "still pending";
  if (call.status === "fulfilled") return `value ${JSON.stringify(call.value)}`;
  const reason = call.reason;
  return reason instanceof LookupFailedError
    ? `LookupFailedError ${reason.kind} "${reason.message}"`
    : `${(reason as Error)?.name ?? typeof reason} ${String(reason)}`;
}
