// Validation of what users type into the pane, as pure functions: each answers the value to save
// or the sentence that says what to fix.

import { NUMERIC_SETTINGS, type NumericSettingKey } from "../settings/settings";
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

/** How a numeric setting is typed: its words, the unit shown, and its bounds in that unit. */
export interface NumberRule {
  label: string;
  unit: string;
  min: number;
  max: number;
  /** Stored units per unit shown (1000 for seconds shown, milliseconds stored). */
  factor: number;
  integer?: boolean;
  /** Whether an empty field is allowed (it removes the setting: its default applies). */
  optional?: boolean;
}

/**
 * A number typed in a field, answered in the stored unit (the rule's factor applied); empty
 * answers undefined where the rule allows it.
 */
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
  return { ok: true, value: value * rule.factor };
}

/** How each numeric setting is shown; its bounds come from the settings' own table. */
const SHOWN: Record<NumericSettingKey, Omit<NumberRule, "min" | "max">> = {
  ratePerSecond: { label: "Requests per second", unit: "per second", factor: 1 },
  dailyBudgetCredits: { label: "Daily budget", unit: "credits", factor: 1, optional: true },
  windowMs: { label: "Batching window", unit: "ms", factor: 1, integer: true, optional: true },
  jobTimeoutMs: { label: "Job timeout", unit: "seconds", factor: 1000, optional: true },
  foundTtlDays: { label: "Keep found addresses", unit: "days", factor: 1, optional: true },
  notFoundTtlDays: { label: "Keep not-found addresses", unit: "days", factor: 1, optional: true },
};

/** The rule of every numeric setting the pane edits, in the unit shown. */
export const NUMBER_RULES = Object.fromEntries(
  (Object.keys(SHOWN) as NumericSettingKey[]).map((key) => {
    const shown = SHOWN[key];
    const { min, max } = NUMERIC_SETTINGS[key];
    return [key, { ...shown, min: min / shown.factor, max: max / shown.factor }];
  })
) as Record<NumericSettingKey, NumberRule>;
