// The pane's one door into the runtime: every call it makes to the geocoder and the settings
// store. The pane's sections take this object (not the modules), so the names it uses are
// listed in one place.

import { geocoder, settings } from "../runtime/runtime";
import type { EndpointKind, NumericSettingKey } from "../settings/settings";

export const runtime = {
  /** Polls a job id that cannot exist: costs no credit, goes through the request scheduler. */
  checkKey: () => geocoder.checkKey(),
  creditsToday: () => geocoder.creditsToday(),
  status: () => geocoder.status(),
  clearCache: () => geocoder.clearCache(),
  cacheStats: () => geocoder.cacheStats(),
  forget: (keys: string[]) => geocoder.forget(keys),
  apiKey: () => settings.apiKey(),
  setApiKey: (key: string) => settings.setApiKey(key),
  endpoint: () => settings.endpoint(),
  limits: () => settings.limits(),
  setNumber: (key: NumericSettingKey, value: number | undefined) => settings.setNumber(key, value),
  setBaseUrl: (url: string | undefined) => settings.setBaseUrl(url),
  setEndpointKind: (kind: EndpointKind) => settings.setEndpointKind(kind),
  singleEdits: () => settings.singleEdits(),
  setSingleEdits: (on: boolean) => settings.setSingleEdits(on),
};

export type Runtime = typeof runtime;
