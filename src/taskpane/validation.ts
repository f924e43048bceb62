// Validation of what users type into the pane, as pure functions: each answers the value to save
// or the sentence that says what to fix.

import { words } from "./wording";

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

/** Hosts where plain http is allowed: a proxy or emulator on this machine. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * A custom endpoint, checked before anything is sent to it (the API key goes along with every
 * request): HTTPS, or http on loopback only; no credentials, query or fragment. Answers the
 * origin plus path without a trailing slash.
 */
export function validateEndpointUrl(text: string): Validated<string> {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: words.url.empty };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, message: words.url.invalid };
  }
  if (
    url.protocol !== "https:" &&
    !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))
  ) {
    return {
      ok: false,
      message: url.protocol === "http:" ? words.url.notHttps : words.url.invalid,
    };
  }
  if (url.username || url.password) return { ok: false, message: words.url.credentials };
  if (url.search || url.hash || trimmed.includes("?") || trimmed.includes("#")) {
    return { ok: false, message: words.url.queryOrHash };
  }
  return { ok: true, value: `${url.origin}${url.pathname}`.replace(/\/+$/, "") };
}

/** The bounds of a numeric setting, in the unit users type. */
export interface NumberRule {
  label: string;
  unit: string;
  min: number;
  max: number;
  integer?: boolean;
  /** Whether an empty field is allowed (it removes the setting: its default applies). */
  optional?: boolean;
}

/** A number typed in a field; empty answers undefined where the rule allows it. */
export function validateNumber(text: string, rule: NumberRule): Validated<number | undefined> {
  const trimmed = text.trim().replace(",", ".");
  if (!trimmed) {
    return rule.optional
      ? { ok: true, value: undefined }
      : { ok: false, message: words.number.notNumber(rule.label) };
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, message: words.number.notNumber(rule.label) };
  if (rule.integer && !Number.isInteger(value)) {
    return { ok: false, message: words.number.notWhole(rule.label) };
  }
  if (value < rule.min) {
    return { ok: false, message: words.number.tooSmall(rule.label, rule.min, rule.unit) };
  }
  if (value > rule.max) {
    return { ok: false, message: words.number.tooLarge(rule.label, rule.max, rule.unit) };
  }
  return { ok: true, value };
}

/** The numeric settings the pane edits, in the unit shown (the pane converts seconds to the stored ms). */
export const NUMBER_RULES = {
  ratePerSecond: { label: "Requests per second", unit: "per second", min: 1, max: 1000 },
  dailyBudgetCredits: {
    label: "Daily budget",
    unit: "credits",
    min: 1,
    max: 10_000_000,
    optional: true,
  },
  windowMs: {
    label: "Batching window",
    unit: "ms",
    min: 0,
    max: 10_000,
    integer: true,
    optional: true,
  },
  jobTimeoutSeconds: {
    label: "Job timeout",
    unit: "seconds",
    min: 10,
    max: 3600,
    integer: true,
    optional: true,
  },
  foundTtlDays: {
    label: "Keep found addresses",
    unit: "days",
    min: 1,
    max: 3650,
    integer: true,
    optional: true,
  },
  notFoundTtlDays: {
    label: "Keep not-found addresses",
    unit: "days",
    min: 1,
    max: 3650,
    integer: true,
    optional: true,
  },
} satisfies Record<string, NumberRule>;
