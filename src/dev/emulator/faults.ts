// The script of one-shot faults a test injects: each fires on the first request it targets, in
// the order injected, and is then gone.

import { errorAnswer, tooManyRequests, type Answer } from "./http";
import type { AnswerFault, Fault, FaultTarget, RequestKind, ResultFault } from "./types";

function targets(target: FaultTarget, kind: RequestKind): boolean {
  switch (target) {
    case "any":
      return kind !== "other";
    case "submit":
      return kind === "submit" || kind === "reverse-submit";
    case "poll":
      return kind === "poll" || kind === "reverse-poll";
    case "single":
      return kind === "single" || kind === "single-reverse";
  }
}

function isResultFault(fault: Fault): fault is Extract<Fault, { response: ResultFault }> {
  return fault.response === "wrong-length" || fault.response === "reorder";
}

export class FaultScript {
  private faults: Fault[] = [];

  add(faults: readonly Fault[]): void {
    this.faults.push(...faults);
  }

  clear(): void {
    this.faults = [];
  }

  /** The answer of the first fault that replaces this request's answer, if one applies. */
  takeAnswer(kind: RequestKind): Answer | undefined {
    const fault = this.take(kind, false);
    return fault && !isResultFault(fault) ? faultAnswer(fault.response) : undefined;
  }

  /** Finished results as the first result fault for this request leaves them. */
  corrupt(kind: RequestKind, results: readonly unknown[]): readonly unknown[] {
    const fault = this.take(kind, true);
    if (fault?.response === "reorder") return [...results].reverse();
    if (fault?.response === "wrong-length") return results.slice(0, -1);
    return results;
  }

  private take(kind: RequestKind, forResults: boolean): Fault | undefined {
    const index = this.faults.findIndex(
      (fault) => isResultFault(fault) === forResults && targets(fault.on ?? "any", kind)
    );
    return index === -1 ? undefined : this.faults.splice(index, 1)[0];
  }
}

/** Geoapify's own wording: a 429 says "Quota exceeded" for a burst and a spent quota alike. */
const INJECTED_429_MESSAGE = "Quota exceeded";

function faultAnswer(fault: AnswerFault): Answer {
  if (fault === "drop") return "drop";
  if (fault === "malformed") return { raw: '[{"query":{"text":' };
  switch (fault.status) {
    case 401:
      return errorAnswer(401, "Invalid apiKey");
    case 429:
      return tooManyRequests(fault.retryAfterSeconds, fault.message ?? INJECTED_429_MESSAGE);
    default:
      return errorAnswer(fault.status, "Request failed, please try again later");
  }
}
