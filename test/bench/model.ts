// The emulated Geoapify the strategies are measured against, and the floor no batching design
// can beat on it.
//
// Latency model (flags --latency, --job-base, --job-per-address):
// - every HTTP request is answered `latencyMs` after it arrives (the network round trip);
// - a batch job of s addresses is ready `jobBaseMs + jobPerAddressMs × s` after its submission
//   is answered (the emulator times the job from when it answers the POST).

import { MAX_BATCH_SIZE } from "../../src/geoapify/types";
import { formatCount } from "./stats";

export interface LatencyModel {
  /** Delay before every answer, ms. Default 30. */
  latencyMs: number;
  /** Fixed part of a batch job's duration, ms. Default 300. */
  jobBaseMs: number;
  /** Batch job duration per address, ms. Default 0.2. */
  jobPerAddressMs: number;
}

export const DEFAULT_MODEL: LatencyModel = { latencyMs: 30, jobBaseMs: 300, jobPerAddressMs: 0.2 };

/**
 * GeoBatch's batching window: the Batcher's documented default (src/batching/batcher.ts), which
 * the Geocoder keeps. The floor includes one window because no batcher can know that a
 * recalculation's calls have stopped without waiting for some quiet time.
 */
export const PRODUCT_WINDOW_MS = 50;

/** Geoapify's free plan: 5 requests per second. */
export const FREE_TIER_REQUESTS_PER_SECOND = 5;

/** Credits per batch address and per single-address request, as Geoapify bills them. */
export const CREDITS_PER_BATCH_ADDRESS = 0.5;
export const CREDITS_PER_SINGLE_REQUEST = 1;

export function jobDurationMs(model: LatencyModel, addresses: number): number {
  return model.jobBaseMs + model.jobPerAddressMs * addresses;
}

/** The least any batching client could spend on `unique` distinct addresses. */
export interface Floor {
  /** ceil(unique / 1000): every job as full as the API allows. */
  submissions: number;
  /** One submission and one poll per job: a job is never done when its POST is answered. */
  requests: number;
  /** 0.5 × unique: each distinct address billed once. */
  credits: number;
  /**
   * max(window, invocation span) + latency (submit) + duration of the largest job + latency
   * (the one poll that finds it done), with every job in parallel, each polled exactly when
   * ready and no CPU time. With jobs in parallel the last one cannot leave before the sheet has
   * handed over its last cell, so the time spent invoking the cells (first to last invocation,
   * measured in the run) counts when it is longer than the window; a floor that left it out
   * would be one no client could reach once its jobs run side by side. GeoBatch's own limit on
   * jobs in flight is deliberately not part of it.
   */
  wallMs: number;
}

/** The time a client must wait before its last job can go: see Floor.wallMs. */
export function lastJobReadyToGoMs(invocationSpanMs: number): number {
  return Math.max(PRODUCT_WINDOW_MS, invocationSpanMs);
}

export function floorFor(model: LatencyModel, unique: number, invocationSpanMs = 0): Floor {
  const submissions = Math.ceil(unique / MAX_BATCH_SIZE);
  return {
    submissions,
    requests: 2 * submissions,
    credits: CREDITS_PER_BATCH_ADDRESS * unique,
    wallMs:
      lastJobReadyToGoMs(invocationSpanMs) +
      2 * model.latencyMs +
      jobDurationMs(model, Math.min(unique, MAX_BATCH_SIZE)),
  };
}

/** The least wall time any batching client could need for `unique` inputs at `rate` requests/s. */
export interface RateFloor {
  /** ceil(unique / 1000) submits + one poll per job. */
  requests: number;
  /** requests ÷ rate + duration of the largest job + latency. */
  wallMs: number;
}

/**
 * The rate floor, the formula: (ceil(unique / 1,000) submits + one poll per job) ÷ rate
 * + the largest job's time + latency. Requests cannot leave faster than the rate, the last job
 * cannot be ready before its own duration, and its results need one more round trip.
 */
export function rateFloorFor(model: LatencyModel, unique: number, rate: number): RateFloor {
  const requests = 2 * Math.ceil(unique / MAX_BATCH_SIZE);
  return {
    requests,
    wallMs:
      (requests / rate) * 1000 +
      jobDurationMs(model, Math.min(unique, MAX_BATCH_SIZE)) +
      model.latencyMs,
  };
}

/** The formula as the report prints it, with this case's numbers. */
export function describeRateFloor(model: LatencyModel, unique: number, rate: number): string {
  const jobs = Math.ceil(unique / MAX_BATCH_SIZE);
  const floor = rateFloorFor(model, unique, rate);
  const jobMs = jobDurationMs(model, Math.min(unique, MAX_BATCH_SIZE));
  return (
    `(${jobs} submits + ${jobs} polls) ÷ ${rate}/s + ${jobMs} ms + ${model.latencyMs} ms = ` +
    `${formatCount(floor.wallMs)} ms`
  );
}
