// The one Geocoder of this JavaScript runtime. In Excel's shared runtime the custom functions and
// the task pane run in the same page and import this module once, so they share one batcher,
// one cache and one settings store.

import { GeocodeCache } from "../cache/geocode-cache";
import type { GeoapifyClientOptions } from "../geoapify/client";
import { Settings } from "../settings/settings";
import { Geocoder } from "./geocoder";

// Set by webpack: "/emulator" in dev builds, "" in production builds. Absent under Node.
declare const GEOBATCH_EMULATOR_PATH: string | undefined;

const devBuild = typeof GEOBATCH_EMULATOR_PATH === "string" && GEOBATCH_EMULATOR_PATH !== "";

/** The client's timing thresholds a dev page may shorten (see devThresholds). */
const DEV_THRESHOLDS = [
  "quotaAfterMs",
  "probeIntervalMs",
  "maxProbeIntervalMs",
  "retryBaseDelayMs",
  "maxRetryDelayMs",
] as const;

type Thresholds = Partial<Pick<GeoapifyClientOptions, (typeof DEV_THRESHOLDS)[number]>>;

/**
 * Dev builds only: thresholds a page set on `globalThis.__geobatchClientThresholds` before
 * functions.js ran, so that an end-to-end test sees the quota path (a minute of 429s, then
 * five-minute probes) in seconds. Production builds compile this to nothing (`devBuild` is the
 * constant false there), so no page or user can change how a deployed add-in backs off.
 */
function devThresholds(): Thresholds | undefined {
  if (!devBuild) return undefined;
  const given = (globalThis as { __geobatchClientThresholds?: Record<string, unknown> })
    .__geobatchClientThresholds;
  if (!given) return undefined;
  const thresholds: Thresholds = {};
  for (const name of DEV_THRESHOLDS) {
    const value = given[name];
    if (typeof value === "number" && Number.isFinite(value) && value > 0) thresholds[name] = value;
  }
  return thresholds;
}

export const settings = new Settings({
  emulatorUrl: devBuild ? (GEOBATCH_EMULATOR_PATH as string) : "",
});

export const geocoder = new Geocoder({
  settings,
  cache: GeocodeCache.open(),
  client: devThresholds(),
});

// Jobs a previous page left running were paid for: collect them now, so that their answers are
// cached (or attached to) by the time cells ask again.
void geocoder.resumeStoredJobs().catch(() => undefined);

// When the runtime page goes away, pending cells settle instead of staying #BUSY!.
globalThis.addEventListener?.("pagehide", () => void geocoder.close());
