// The pane's one door into the runtime: every call it makes to the geocoder and the settings
// store, typed as the pane expects them. Thin on purpose, so names can be aligned in one place;
// a method this runtime does not have yet answers `undefined` (the pane then says so) instead
// of breaking the pane.

import { geocoder, settings } from "../runtime/runtime";
import type { Credits, KeyState, SchedulerStatus } from "./view-model";

/** The numeric settings the pane writes; the last three are the lead's to add to Settings. */
export type PaneNumberSetting =
  | "ratePerSecond"
  | "jobTimeoutMs"
  | "dailyBudgetCredits"
  | "windowMs"
  | "foundTtlDays"
  | "notFoundTtlDays";

export interface PaneLimits {
  ratePerSecond: number;
  jobTimeoutMs: number;
  dailyBudgetCredits: number | undefined;
  windowMs?: number;
  foundTtlDays?: number;
  notFoundTtlDays?: number;
}

/** What the pane calls on the runtime's geocoder. */
interface PaneGeocoder {
  checkKey(): Promise<Exclude<KeyState, "unchecked">>;
  creditsToday(): Promise<Credits | undefined>;
  status(): SchedulerStatus;
  clearCache(): Promise<void>;
  cacheStats(): Promise<{ entries: number; storedBytes: number }>;
  forget(keys: string[]): Promise<number>;
}

/** What the pane calls on the runtime's settings. */
interface PaneSettings {
  apiKey(): Promise<string>;
  setApiKey(key: string): Promise<void>;
  endpoint(): Promise<{ baseUrl: string; emulated: boolean } | undefined>;
  limits(): Promise<PaneLimits>;
  setNumber(key: PaneNumberSetting, value: number | undefined): Promise<void>;
  setBaseUrl(url: string | undefined): Promise<void>;
}

const geo = geocoder as unknown as Partial<PaneGeocoder>;
const store = settings as unknown as Partial<PaneSettings>;

// Optional calls: a method the runtime lacks answers undefined.
export const runtime = {
  checkKey: () => geo.checkKey?.(),
  creditsToday: () => geo.creditsToday?.(),
  status: () => geo.status?.(),
  clearCache: () => geo.clearCache?.(),
  cacheStats: () => geo.cacheStats?.(),
  forget: (keys: string[]) => geo.forget?.(keys),
  apiKey: () => store.apiKey?.(),
  setApiKey: (key: string) => store.setApiKey?.(key),
  endpoint: () => store.endpoint?.(),
  limits: () => store.limits?.(),
  setNumber: (key: PaneNumberSetting, value: number | undefined) => store.setNumber?.(key, value),
  setBaseUrl: (url: string | undefined) => store.setBaseUrl?.(url),
};

export type Runtime = typeof runtime;
