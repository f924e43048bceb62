// What the emulator's request log says about a run: requests by kind, the 429s of each emulated
// limit, and how a strategy used its jobs (how many were in flight at once, and how long a
// finished job waited for the poll that collected it). Forward and reverse jobs alike.

import type { RecordedRequest, RequestKind } from "../../src/dev/emulator/types";
import { jobDurationMs, type LatencyModel } from "./model";

export interface RequestCounts {
  /** Batch submits, forward and reverse, whatever their answer. */
  submit: number;
  poll: number;
  /** Single lookups (GET /v1/geocode/search or /reverse). */
  single: number;
  /** Every API request. */
  total: number;
  /** Inputs of accepted jobs (each billed 0.5 credit). */
  addressesSubmitted: number;
  largestJob: number;
  /** Single lookups answered 200 (each billed 1 credit). */
  answeredSingles: number;
  /** 429s answered because the key went over the emulated rate. */
  rejectedByRate: number;
  /** 429s answered during an emulated outage. */
  rejectedByOutage: number;
}

const SUBMITS: ReadonlySet<RequestKind> = new Set(["submit", "reverse-submit"]);
const POLLS: ReadonlySet<RequestKind> = new Set(["poll", "reverse-poll"]);
const SINGLES: ReadonlySet<RequestKind> = new Set(["single", "single-reverse"]);

export function requestCounts(requests: readonly RecordedRequest[]): RequestCounts {
  const counts: RequestCounts = {
    submit: 0,
    poll: 0,
    single: 0,
    total: 0,
    addressesSubmitted: 0,
    largestJob: 0,
    answeredSingles: 0,
    rejectedByRate: 0,
    rejectedByOutage: 0,
  };
  for (const request of requests) {
    if (request.method === "OPTIONS") continue;
    counts.total++;
    if (request.limit === "rate") counts.rejectedByRate++;
    if (request.limit === "outage") counts.rejectedByOutage++;
    if (SUBMITS.has(request.kind)) {
      counts.submit++;
      if (request.jobId !== undefined && request.addresses !== undefined) {
        counts.addressesSubmitted += request.addresses;
        counts.largestJob = Math.max(counts.largestJob, request.addresses);
      }
    } else if (POLLS.has(request.kind)) {
      counts.poll++;
    } else if (SINGLES.has(request.kind)) {
      counts.single++;
      if (request.status === 200) counts.answeredSingles++;
    }
  }
  return counts;
}

export interface JobTimeline {
  jobs: number;
  /** Most jobs between submission and collection at the same moment. */
  peakInFlight: number;
  /** Mean time from a job being ready to the poll that found it done, ms. */
  meanCollectionDelayMs: number;
  /** Mean polls per collected job. */
  meanPolls: number;
}

export function jobTimeline(
  requests: readonly RecordedRequest[],
  model: LatencyModel
): JobTimeline {
  const submits = new Map<string, RecordedRequest>();
  const polls = new Map<string, number>();
  const spans: Array<[start: number, end: number]> = [];
  let collectionDelayMs = 0;
  for (const request of requests) {
    if (request.jobId === undefined) continue;
    if (SUBMITS.has(request.kind) && request.status === 202) {
      submits.set(request.jobId, request);
    } else if (SUBMITS.has(request.kind) && request.status === 200) {
      // Done before its submission was answered (a zero-duration model): collected at once.
      spans.push([request.at, request.at + model.latencyMs]);
    } else if (POLLS.has(request.kind)) {
      polls.set(request.jobId, (polls.get(request.jobId) ?? 0) + 1);
      const submit = submits.get(request.jobId);
      if (request.status === 200 && submit) {
        // Both requests were handled latencyMs after they arrived, and the job was timed from
        // its submission's answer, so the latencies cancel out.
        collectionDelayMs += request.at - submit.at - jobDurationMs(model, submit.addresses ?? 0);
        spans.push([submit.at, request.at + model.latencyMs]);
      }
    }
  }
  let pollCount = 0;
  for (const count of polls.values()) pollCount += count;
  return {
    jobs: spans.length,
    peakInFlight: peakOverlap(spans),
    meanCollectionDelayMs: spans.length === 0 ? NaN : collectionDelayMs / spans.length,
    meanPolls: spans.length === 0 ? NaN : pollCount / spans.length,
  };
}

function peakOverlap(spans: ReadonlyArray<[number, number]>): number {
  // Ends sort before starts at the same instant: a job collected as another is submitted does
  // not count as overlapping it.
  const edges = spans.flatMap(([start, end]): Array<[number, number]> => [
    [start, 1],
    [end, -1],
  ]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let peak = 0;
  for (const [, change] of edges) {
    current += change;
    peak = Math.max(peak, current);
  }
  return peak;
}
