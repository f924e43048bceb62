// The emulator's command-line flags, shared by `npm run emulator` (./cli.ts) and `npm start`
// (../start.ts), so both read them alike and print the same summary of the modes in force.

import {
  readNonNegativeInteger as readInteger,
  readNonNegativeNumber as readNumber,
  UsageError,
} from "../cli-args";
import type { EmulatorModes, EmulatorOptions } from "./types";

/** `parseArgs` options for the emulator's flags; every value is read by `emulatorOptions`. */
export const EMULATOR_FLAGS = {
  latency: { type: "string" },
  "job-base": { type: "string" },
  "job-per-address": { type: "string" },
  "job-ms": { type: "string" },
  "rate-limit": { type: "string" },
  "retry-after": { type: "string" },
  "outage-seconds": { type: "string" },
  "outage-after": { type: "string" },
  "cut-submits": { type: "string" },
  "cut-polls": { type: "string" },
} as const;

export const EMULATOR_USAGE =
  "[--latency ms] [--job-base ms] [--job-per-address ms] [--job-ms ms] [--rate-limit n] " +
  "[--retry-after s] [--outage-seconds s [--outage-after s]] [--cut-submits n] [--cut-polls n]";

type FlagValues = Partial<Record<keyof typeof EMULATOR_FLAGS, string>>;

/** Emulator options from the flags; flags not given keep `defaults`. Throws UsageError. */
export function emulatorOptions(
  values: FlagValues,
  defaults: EmulatorOptions = {}
): EmulatorOptions {
  const outageSeconds = readNumber("outage-seconds", values["outage-seconds"]);
  const outageAfter = readNumber("outage-after", values["outage-after"]);
  const options: EmulatorOptions = {
    ...defaults,
    latencyMs: readNumber("latency", values.latency) ?? defaults.latencyMs,
    jobBaseMs: readNumber("job-base", values["job-base"]) ?? defaults.jobBaseMs,
    jobPerAddressMs:
      readNumber("job-per-address", values["job-per-address"]) ?? defaults.jobPerAddressMs,
    jobMs: readNumber("job-ms", values["job-ms"]) ?? defaults.jobMs,
    rateLimitPerSecond:
      readInteger("rate-limit", values["rate-limit"]) ?? defaults.rateLimitPerSecond,
    retryAfterSeconds:
      readNumber("retry-after", values["retry-after"]) ?? defaults.retryAfterSeconds,
    cutSubmits: readInteger("cut-submits", values["cut-submits"]) ?? defaults.cutSubmits,
    cutPolls: readInteger("cut-polls", values["cut-polls"]) ?? defaults.cutPolls,
  };
  if (outageSeconds !== undefined) {
    options.outage = { afterMs: (outageAfter ?? 0) * 1000, durationMs: outageSeconds * 1000 };
  } else if (outageAfter !== undefined) {
    throw new UsageError("--outage-after needs --outage-seconds");
  }
  return options;
}

/** One line naming the modes in force, e.g. for `npm start` to print. */
export function describeModes(modes: EmulatorModes, now: number): string {
  const jobs =
    modes.jobMs === null
      ? `jobs take ${modes.jobBaseMs} ms + ${modes.jobPerAddressMs} ms per address`
      : `every job takes ${modes.jobMs} ms`;
  const parts = [
    modes.rateLimitPerSecond > 0
      ? `rate limit ${modes.rateLimitPerSecond} requests/s per key`
      : "no rate limit",
    jobs,
    `latency ${modes.latencyMs} ms`,
  ];
  if (modes.outageUntil > now) {
    const after = Math.max(0, Math.round((modes.outageFrom - now) / 1000));
    const seconds = Math.round((modes.outageUntil - Math.max(now, modes.outageFrom)) / 1000);
    parts.push(`429 outage for ${seconds} s${after > 0 ? `, starting in ${after} s` : ""}`);
  }
  if (modes.retryAfterSeconds !== null) parts.push(`Retry-After: ${modes.retryAfterSeconds}`);
  if (modes.cutSubmits > 0) parts.push(`next ${modes.cutSubmits} submit answers cut off`);
  if (modes.cutPolls > 0) parts.push(`next ${modes.cutPolls} poll answers cut off`);
  return parts.join("; ");
}
