// Telemetry leaves the runtime as DOM events on the page, so the task pane and the workbench can
// watch batches without reaching into the batcher. Nothing here carries the API key.

import type { BatcherEvent } from "../batching/batcher";
import type { ClientEvent } from "../geoapify/client";
import type { CreditsSnapshot } from "./credits";

export const TELEMETRY_EVENT = "geobatch:telemetry";

/** Today's credits for the key in use, after each submitted job. */
export interface CreditsEvent extends CreditsSnapshot {
  type: "credits";
}

/** Cells answered from the cache, coalesced per task so 10,000 hits are one event. */
export interface CacheEvent {
  type: "cache";
  hits: number;
}

/**
 * One custom-function call, reported when it settles: what was asked and what the cell shows.
 * Never the API key: `message` is the cell's own error text.
 */
export interface CellEvent {
  type: "cell";
  /** The cell's address (`Sheet1!B2`) when Excel gives it. */
  cell?: string;
  /** The function's name: LOCATION, DETAILS, … */
  fn: string;
  /** The place asked about, as typed: an address or a coordinate. */
  input: string;
  ok: boolean;
  /** The error shown in the cell when `ok` is false. */
  message?: string;
  /** Why it failed, as a failure kind ("missing-key", "auth", "quota", …): the pane retries
   * the cells a new key can fix. */
  reason?: string;
  lat?: number;
  lon?: number;
  confidence?: number;
  formatted?: string;
  matchType?: string;
  /** The lookup keys the call used, so the pane can forget exactly this cell's answers. */
  keys?: string[];
}

type Serializable<E> = E extends { error?: Error } ? Omit<E, "error"> & { error?: string } : E;

type RuntimeEvent = BatcherEvent | ClientEvent | CacheEvent | CreditsEvent | CellEvent;

export type TelemetryEvent = Serializable<RuntimeEvent>;

export function publish(event: RuntimeEvent): void {
  const target = globalThis as Partial<EventTarget>;
  if (typeof target.dispatchEvent !== "function" || typeof CustomEvent !== "function") {
    return;
  }
  // Errors are flattened to their message: listeners may serialise events (the workbench log).
  const detail =
    "error" in event && event.error instanceof Error
      ? { ...event, error: event.error.message }
      : event;
  target.dispatchEvent(new CustomEvent(TELEMETRY_EVENT, { detail }));
}

export function subscribe(listener: (event: TelemetryEvent) => void): () => void {
  const handler = (event: Event) => listener((event as CustomEvent<TelemetryEvent>).detail);
  globalThis.addEventListener?.(TELEMETRY_EVENT, handler);
  return () => globalThis.removeEventListener?.(TELEMETRY_EVENT, handler);
}
