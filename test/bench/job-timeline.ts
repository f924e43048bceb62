// What the emulator's request log says about how a strategy used its jobs: how many were in
// flight at once, and how long a finished job waited for the poll that collected it.

import type { RecordedRequest } from "../../src/dev/emulator/emulator";
import { jobDurationMs, type LatencyModel } from "./model";

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
    if (request.kind === "submit" && request.status === 202) {
      submits.set(request.jobId, request);
    } else if (request.kind === "submit" && request.status === 200) {
      // Done before its submission was answered (a zero-duration model): collected at once.
      spans.push([request.at, request.at + model.latencyMs]);
    } else if (request.kind === "poll") {
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
