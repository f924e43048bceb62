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

type Serializable<E> = E extends { error?: Error } ? Omit<E, "error"> & { error?: string } : E;

type RuntimeEvent = BatcherEvent | ClientEvent | CacheEvent | CreditsEvent;

export type TelemetryEvent = Serializable<RuntimeEvent>;

export function publish(event: RuntimeEvent): void {
  const target = globalThis as Partial<EventTarget>;
  if (typeof target.dispatchEvent !== "function" || typeof CustomEvent !== "function") {
    return;
  }
  // Errors are flattened to their message: listeners may serialise events (the workbench log).
  const detail = "error" in event && event.error ? { ...event, error: event.error.message } : event;
  target.dispatchEvent(new CustomEvent(TELEMETRY_EVENT, { detail }));
}

export function subscribe(listener: (event: TelemetryEvent) => void): () => void {
  const handler = (event: Event) => listener((event as CustomEvent<TelemetryEvent>).detail);
  globalThis.addEventListener?.(TELEMETRY_EVENT, handler);
  return () => globalThis.removeEventListener?.(TELEMETRY_EVENT, handler);
}
