// Every sentence the pane shows, in one place (the cells' own wording lives in
// src/functions/messages.ts). Short, specific, and each problem names the action that fixes it.

export const words = {
  title: "GeoBatch",
  messagesOf: (heading: string) => `${heading} messages`,
  status: {
    label: "GeoBatch status",
    ready: "Ready.",
    working: (done: number, total: number, jobs: number, oldestSeconds?: number) =>
      `Working: ${done} of ${total} cells` +
      (jobs > 0
        ? `, ${jobs} ${jobs === 1 ? "job" : "jobs"} in flight` +
          (oldestSeconds !== undefined ? ` (oldest ${oldestSeconds} s)` : "")
        : "") +
      ".",
    rateWait: (seconds?: number) =>
      "Waiting for Geoapify's rate limit" +
      (seconds !== undefined ? `: retrying in ${seconds} s.` : "."),
    outage: (seconds: number) =>
      `The endpoint is unavailable (a team gateway's outage): cells keep waiting, retrying in ${seconds} s.`,
    quota: "Geoapify's daily quota is reached: cells resume by themselves when it renews.",
    budget: (budget: number) => `Today's budget of ${budget} credits is reached.`,
    gatewayBudget: (budget: number) =>
      `Your team gateway's daily budget of ${budget} credits is spent: ask its administrator.`,
    keyMissing: "No API key is saved: cells cannot geocode.",
    keyRejected: "Geoapify rejected the API key.",
    finishedWithFailures: (count: number) =>
      `Finished: ${count} ${count === 1 ? "cell" : "cells"} failed (listed below).`,
  },
  actions: {
    enterKey: "Enter API key",
    checkKey: "Check key",
    raiseBudget: "Raise budget",
    lowerRate: "Set plan rate",
    retryFailed: "Retry failed",
  },
  connection: {
    heading: "Connection",
    keyLabel: "API key",
    keyPlaceholder: "Your Geoapify API key",
    tokenLabel: "Gateway token",
    tokenPlaceholder: "The token your gateway's administrator gave you",
    show: "Show key",
    hide: "Hide key",
    save: "Save key",
    checkKey: "Check key",
    saved: (retried: number) =>
      retried > 0
        ? `Key saved. Recalculating ${retried} ${retried === 1 ? "cell" : "cells"} that needed it.`
        : "Key saved.",
    removed: "API key removed.",
    saveFailed: "Could not save: storage is unavailable here.",
    checking: "Checking the key…",
    check: {
      valid: "The key works.",
      rejected: "Geoapify rejected this key: copy it again from myprojects.geoapify.com.",
      unknown: "Cannot tell now: Geoapify's rate limit or quota answered. Try again in a minute.",
      missing: "Save a key first.",
      unchecked: "",
      failed: "The check could not reach the endpoint.",
    },
    /** Check key's answers when the endpoint is a team gateway. */
    checkToken: {
      valid: "The token works.",
      rejected: "The team gateway refused this token: ask its administrator for a new one.",
      unknown: "Cannot tell now: the team gateway did not answer. Try again in a minute.",
      missing: "Save a token first.",
      unchecked: "",
      failed: "The check could not reach the team gateway.",
    },
    endpointLabel: "Endpoint",
    endpoints: {
      global: "Geoapify (global)",
      eu: "Geoapify (EU)",
      custom: "Custom URL (proxy)",
      gateway: "Team gateway",
    },
    customUrlLabel: "Custom endpoint URL",
    gatewayUrlLabel: "Team gateway URL",
    gatewayHint:
      "Your team's gateway holds the Geoapify key: you need only its URL and your own token.",
    saveEndpoint: "Save endpoint",
    endpointSaved: "Endpoint saved.",
    rateLabel: "Plan's requests per second",
    saveRate: "Save rate",
    rateSaved: "Rate saved.",
    keyHint:
      "Free keys at myprojects.geoapify.com: 3,000 credits a day, half a credit per address.",
  },
  url: {
    empty: "Enter the proxy's URL, such as https://geo.example.com.",
    invalid: "This is not a URL: it should look like https://geo.example.com.",
    notHttps: "Use https:// (plain http is allowed only for localhost and 127.0.0.1).",
    credentials: "Leave the user name and password out of the URL.",
    queryOrHash: "Leave ? and # parts out: GeoBatch adds its own.",
  },
  number: {
    notNumber: (label: string) => `${label} must be a number.`,
    notWhole: (label: string) => `${label} must be a whole number.`,
    tooSmall: (label: string, min: number, unit: string) =>
      `${label} must be at least ${quantity(min, unit)}.`,
    tooLarge: (label: string, max: number, unit: string) =>
      `${label} must be at most ${quantity(max, unit)}.`,
  },
  credits: {
    heading: "Credits",
    spent: (spent: number, day: string) =>
      `${formatCredits(spent)} credits spent today (${day}, UTC).`,
    none: "No credits counted yet today (UTC).",
    gatewaySpent: (user: string, spent: number, day: string, budget?: number) =>
      `The team gateway counts ${formatCredits(spent)} ` +
      (budget === undefined ? "" : `of ${formatCredits(budget)} `) +
      `credits spent today by ${user} (${day}, UTC).`,
    perCell: (cells: number) =>
      `One call per cell would have cost ${formatCredits(cells)} credits for the ${cells} ` +
      `${cells === 1 ? "cell" : "cells"} geocoded this session.`,
    budgetLabel: "Daily budget (credits, empty for none)",
    saveBudget: "Save budget",
    budgetSaved: "Budget saved.",
    budgetRemoved: "Budget removed: the plan's quota is the only limit.",
  },
  progress: {
    heading: "Progress",
    barLabel: "Cells settled",
    settled: (settled: number, total: number) => `${settled} of ${total} cells settled`,
    counts: (queued: number, inFlight: number, done: number, failed: number) =>
      `${queued} queued · ${inFlight} in flight · ${done} done · ${failed} failed`,
    chartLabel: (count: number) =>
      count === 0
        ? "No batches yet."
        : count === 1
          ? "The last batch: size, wait and outcome."
          : `The last ${count} batches: size, wait and outcome.`,
    legend:
      "Bar height: batch size. Solid green: all found; striped amber: some failed; " +
      "hollow red: failed; dashed grey: running.",
  },
  failed: {
    heading: "Failed cells",
    none: "No failed cells.",
    select: (cell: string) => `Select ${cell}`,
    retried: (count: number) => `Recalculating ${count} ${count === 1 ? "cell" : "cells"}.`,
    noHost: "Selecting cells needs Excel (or the workbench).",
  },
  map: {
    heading: "Map",
    label: (
      count: number,
      byCountry: Array<[country: string | undefined, count: number]>,
      confidence: Record<"high" | "medium" | "low" | "unknown", number>
    ) => {
      const cells = `${count} geocoded ${count === 1 ? "cell" : "cells"}`;
      if (count === 0) return `World map with ${cells}.`;
      const named = byCountry.slice(0, MAP_COUNTRIES_NAMED);
      const places = named.map(
        ([country, n]) => `${n} ${country ? `in ${country}` : "outside any country"}`
      );
      const rest = byCountry.length - named.length;
      if (rest > 0) places.push(`more in ${rest} other ${rest === 1 ? "country" : "countries"}`);
      const levels = (["high", "medium", "low", "unknown"] as const)
        .filter((level) => confidence[level] > 0)
        .map((level) => `${confidence[level]} ${level}`);
      return `World map with ${cells}: ${places.join(", ")}. Confidence: ${levels.join(", ")}.`;
    },
    attribution: "World outline: Natural Earth (public domain), via world-atlas.",
    confidence:
      "Confidence: green dot ≥ 0.9, amber ring ≥ 0.5, red cross below, grey square unknown.",
    loading: "Loading the map…",
    failed: "The map could not load.",
  },
  sheet: {
    heading: "Sheet",
    freeze: "Freeze selected as values",
    freezeTitle: "Freeze as values?",
    freezeBody:
      "The selected GEO formulas are replaced by their current values, so they never geocode " +
      "again. Excel cannot undo this.",
    freezeConfirm: "Freeze",
    cancel: "Cancel",
    frozen: (count: number, skipped: number) =>
      `Froze ${count} ${count === 1 ? "formula" : "formulas"}.` +
      (skipped > 0
        ? ` ${skipped} still calculating or failed ${skipped === 1 ? "stays a formula" : "stay formulas"}.`
        : ""),
    nothingFrozen: (skipped: number) =>
      `Nothing frozen: ${skipped} GEO ${skipped === 1 ? "cell is" : "cells are"} still calculating or failed.`,
    nothingToFreeze: "No GEO formula in the selection.",
    clearCache: "Clear cache",
    cacheStats: (entries: number, bytes: number) =>
      `The cache holds ${entries} ${entries === 1 ? "answer" : "answers"} (${formatBytes(bytes)}).`,
    cleared: "Cached results cleared.",
    forget: "Forget selected",
    forgot: (count: number) => `Forgot ${count} cached ${count === 1 ? "answer" : "answers"}.`,
    nothingToForget: "No geocoded cell in the selection.",
  },
  advanced: {
    heading: "Advanced",
    windowMs: "Batching window",
    jobTimeoutMs: "Job timeout",
    foundTtlDays: "Keep found addresses",
    notFoundTtlDays: "Keep not-found addresses",
    save: "Save advanced settings",
    saved: "Advanced settings saved.",
    singleEdits: "Look up single edits at once (1 credit each instead of 0.5)",
    singleEditsOn: "Up to 3 new addresses now go as single lookups, at 1 credit each.",
    singleEditsOff: "New addresses wait for a batch job again, at 0.5 credit each.",
  },
};

/** Countries the map's label names; the rest are counted. */
const MAP_COUNTRIES_NAMED = 8;

/** "1 second", "2 seconds", "1 per second": plural units lose their "s" for one. */
function quantity(value: number, unit: string): string {
  const singular = value === 1 && /^[a-z]{2,}s$/.test(unit) ? unit.slice(0, -1) : unit;
  return `${value} ${singular}`;
}

function formatCredits(credits: number): string {
  return Number.isInteger(credits) ? String(credits) : credits.toFixed(1);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
