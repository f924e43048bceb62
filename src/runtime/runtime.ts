// The one Geocoder of this JavaScript runtime. In Excel's shared runtime the custom functions and
// the task pane run in the same page and import this module once, so they share one batcher,
// one cache and one settings store.

import { GeocodeCache } from "../cache/geocode-cache";
import { Settings } from "../settings/settings";
import { Geocoder } from "./geocoder";

// Set by webpack: "/emulator" in dev builds, "" in production builds. Absent under Node.
declare const GEOBATCH_EMULATOR_PATH: string | undefined;

export const settings = new Settings({
  emulatorUrl: typeof GEOBATCH_EMULATOR_PATH === "string" ? GEOBATCH_EMULATOR_PATH : "",
});

export const geocoder = new Geocoder({ settings, cache: GeocodeCache.open() });

// Jobs a previous page left running were paid for: collect them now, so that their answers are
// cached (or attached to) by the time cells ask again.
void geocoder.resumeStoredJobs().catch(() => undefined);

// When the runtime page goes away, pending cells settle instead of staying #BUSY!.
globalThis.addEventListener?.("pagehide", () => void geocoder.close());
