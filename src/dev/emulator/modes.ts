// The emulator's settings: constructor options with their defaults, checked once, and the modes
// they start from (again after each `reset()`).

import type { EmulatorModes, EmulatorOptions } from "./types";

export function checkDuration(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
  return value;
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
  }
  return value;
}

const DURATIONS = [
  "latencyMs",
  "jobBaseMs",
  "jobPerAddressMs",
  "outageFrom",
  "outageUntil",
] as const;

/** Checks every mode that has a range, so that a bad change changes nothing. */
export function checkModes(modes: Partial<EmulatorModes>): void {
  for (const name of DURATIONS) {
    const value = modes[name];
    if (value !== undefined) checkDuration(name, value);
  }
  for (const name of ["jobMs", "retryAfterSeconds"] as const) {
    const value = modes[name];
    if (value !== undefined && value !== null) checkDuration(name, value);
  }
  for (const name of ["rateLimitPerSecond", "cutSubmits", "cutPolls"] as const) {
    const value = modes[name];
    if (value !== undefined) checkCount(name, value);
  }
}

/** What the constructor options settle, defaults applied. */
export interface Settings {
  /** The modes to start from, without an outage window. */
  modes: EmulatorModes;
  outage: EmulatorOptions["outage"];
  exposeRetryAfter: boolean;
  controlApi: boolean;
}

export function settingsFrom(options: EmulatorOptions): Settings {
  const modes: EmulatorModes = {
    neverFinish: false,
    quotaExhausted: false,
    rateLimitPerSecond: options.rateLimitPerSecond ?? 0,
    outageFrom: 0,
    outageUntil: 0,
    retryAfterSeconds: options.retryAfterSeconds ?? null,
    latencyMs: options.latencyMs ?? 0,
    jobBaseMs: options.jobBaseMs ?? 300,
    jobPerAddressMs: options.jobPerAddressMs ?? 0.2,
    jobMs: options.jobMs ?? null,
    invalidKeys: [...(options.invalidKeys ?? [])],
    cutSubmits: options.cutSubmits ?? 0,
    cutPolls: options.cutPolls ?? 0,
  };
  checkModes(modes);
  if (options.outage) {
    checkDuration("outage.afterMs", options.outage.afterMs ?? 0);
    checkDuration("outage.durationMs", options.outage.durationMs);
  }
  return {
    modes,
    outage: options.outage,
    exposeRetryAfter: options.exposeRetryAfter ?? true,
    controlApi: options.controlApi ?? true,
  };
}

/** The starting modes at `now`: an outage option counts from then. */
export function initialModes(settings: Settings, now: number): EmulatorModes {
  const { modes, outage } = settings;
  const outageFrom = outage ? now + (outage.afterMs ?? 0) : 0;
  return {
    ...modes,
    outageFrom,
    outageUntil: outage ? outageFrom + outage.durationMs : 0,
    invalidKeys: [...modes.invalidKeys],
  };
}
