// Every sentence a GeoBatch user reads about a failure, and the Excel error it comes with. Plain
// data and functions with no Office global, so the task pane can show the same words. Each
// message says what happened and what to do, in one short line (Excel shows about 255 characters
// in the error tooltip), and never carries a URL, a stack or the API key.

import type { Lookup } from "../places/lookup";
import type { InputProblem } from "../places/problems";

/** The two Excel errors whose message a user can see. */
export type CellErrorName = "#VALUE!" | "#N/A";

/** Longest address quoted back in a "No match" message; longer ones are cut with an ellipsis. */
const QUOTED_ADDRESS_LENGTH = 40;

/** Why a cell has no value, classified (see failures.ts) from whatever was thrown. */
export type Failure =
  | { kind: "invalid-input"; problem: InputProblem }
  | { kind: "not-found"; lookup: Lookup }
  | { kind: "budget" | "gateway-budget"; budgetCredits?: number }
  | { kind: Exclude<FailureKind, "invalid-input" | "not-found" | "budget" | "gateway-budget"> };

export type FailureKind =
  | "invalid-input"
  | "missing-key"
  | "auth"
  | "bad-request"
  | "budget"
  | "gateway-budget"
  | "not-found"
  | "not-cached"
  | "quota"
  | "still-running"
  | "network"
  | "server"
  | "unavailable"
  | "malformed"
  | "aborted"
  | "stopped"
  | "unknown";

interface FailureWording<K extends FailureKind> {
  /** #VALUE!: fix the input or the setup first. #N/A: no answer now; recalculating may help. */
  error: CellErrorName;
  message: (failure: Failure & { kind: K }) => string;
}

/** The one table of failures: each kind's Excel error and words. The README lists it. */
export const FAILURES: { [K in FailureKind]: FailureWording<K> } = {
  "invalid-input": { error: "#VALUE!", message: ({ problem }) => problemMessage(problem) },
  "missing-key": {
    error: "#VALUE!",
    message: () => "Set your Geoapify API key in the GeoBatch pane",
  },
  auth: {
    error: "#VALUE!",
    message: () => "Geoapify rejected the API key: check it in the GeoBatch pane",
  },
  "bad-request": {
    error: "#VALUE!",
    message: () => "Geoapify refused this request: check the address and its options",
  },
  budget: {
    error: "#VALUE!",
    message: ({ budgetCredits }) =>
      `${budgetCredits === undefined ? "Today's credit budget" : `Today's budget of ${budgetCredits} credits`} ` +
      "is spent: raise it in the GeoBatch pane, or recalculate tomorrow",
  },
  "gateway-budget": {
    error: "#VALUE!",
    message: ({ budgetCredits }) =>
      `Your team gateway's daily budget${budgetCredits === undefined ? "" : ` of ${budgetCredits} credits`} ` +
      "is spent: ask its administrator, or recalculate tomorrow",
  },
  "not-found": { error: "#N/A", message: ({ lookup }) => noMatchMessage(lookup) },
  "not-cached": { error: "#N/A", message: () => "Press Enter to geocode" },
  quota: {
    error: "#N/A",
    message: () =>
      "Geoapify's rate limit or daily quota for this key is reached: wait a minute, or try " +
      "tomorrow or raise your plan",
  },
  "still-running": {
    error: "#N/A",
    message: () => "Geoapify is still working on this batch; recalculate later to collect it",
  },
  network: {
    error: "#N/A",
    message: () => "Could not reach Geoapify: check the connection, then recalculate",
  },
  server: { error: "#N/A", message: () => "Geoapify is having trouble: recalculate later" },
  unavailable: {
    error: "#N/A",
    message: () =>
      "The geocoding service (your team gateway or Geoapify) is unavailable: recalculate in a " +
      "few minutes",
  },
  malformed: {
    error: "#N/A",
    message: () => "Geoapify sent an unreadable answer: recalculate later",
  },
  aborted: { error: "#N/A", message: () => "Cancelled" },
  stopped: { error: "#N/A", message: () => "GeoBatch was stopped: recalculate to try again" },
  unknown: { error: "#N/A", message: () => "Geocoding failed: recalculate to try again" },
};

/** The Excel error and the sentence for a failure. */
export function describeFailure(failure: Failure): { error: CellErrorName; message: string } {
  const wording = FAILURES[failure.kind] as FailureWording<FailureKind>;
  return { error: wording.error, message: wording.message(failure) };
}

function noMatchMessage({ kind, input, options }: Lookup): string {
  if (kind === "reverse") {
    return `No address found near ${input.replace(",", ", ")}`;
  }
  const quoted =
    input.length > QUOTED_ADDRESS_LENGTH ? `${input.slice(0, QUOTED_ADDRESS_LENGTH - 1)}…` : input;
  const where = options.country ? ` in ${options.country.toUpperCase().replace(/,/g, ", ")}` : "";
  return `No match for "${quoted}"${where}`;
}

/** What is wrong with an argument, and how to put it right. */
export function problemMessage(problem: InputProblem): string {
  switch (problem.kind) {
    case "address-missing":
      return "The address cell is empty";
    case "address-blank":
      return "The address is blank";
    case "address-number":
      return (
        `The address is the number ${problem.value}, and addresses must be text: for a ` +
        `postcode, write TEXT(A2, "00000") & ", US"`
      );
    case "address-not-text":
      return "The address must be text";
    case "address-too-long":
      return `The address is longer than ${problem.maxLength.toLocaleString("en-US")} characters`;
    case "unknown-field":
      return `Unknown field "${problem.name}": use ${problem.valid.join(", ")}`;
    case "unknown-country":
      return `"${problem.code}" is not an ISO country code: use two letters, e.g. "gb" or "de,fr"`;
    case "unknown-language":
      return `"${problem.code}" is not a language Geoapify knows: use two letters, e.g. "en" or "de"`;
    case "unknown-unit":
      return `Unknown unit "${problem.unit}": use ${problem.valid.map((u) => `"${u}"`).join(", ")}`;
    case "coordinate-missing":
      return `The ${problem.axis} is blank`;
    case "coordinate-not-number":
      return `The ${problem.axis} "${problem.value}" is not a number`;
    case "coordinate-out-of-range":
      return `The ${problem.axis} ${problem.value} is outside -${problem.limit} to ${problem.limit}`;
    case "not-single-value":
      return `${problem.parameter} takes one value, not a range of several cells`;
    case "not-a-point":
      return (
        `${problem.parameter} must be an address or a latitude and longitude: two numbers in a ` +
        "row or a column"
      );
  }
}
