// Whatever a call threw, as a Failure that messages.ts can word. Errors carry facts (a kind, a
// budget, a problem); this is the one place that reads them, so no caller switches on messages.

import type { Lookup } from "../places/lookup";
import { InvalidInputError } from "../places/problems";
import {
  BudgetExceededError,
  GatewayBudgetError,
  GeoBatchStoppedError,
  LookupFailedError,
  NotCachedError,
} from "../runtime/errors";
import { MissingApiKeyError } from "../settings/settings";
import type { Failure, FailureKind } from "./messages";

/** Geoapify found nothing for a lookup (the runtime resolved null). */
export class NoMatchError extends Error {
  override readonly name = "NoMatchError";

  constructor(readonly lookup: Lookup) {
    super(`No match (${lookup.kind})`);
  }
}

/** The lookup failures that are worded as they are; any other kind is an unknown failure. */
const WORDED_LOOKUP_FAILURES = new Set<string>([
  "auth",
  "quota",
  "still-running",
  "network",
  "server",
  "unavailable",
  "bad-request",
  "malformed",
  "aborted",
  "budget",
] satisfies FailureKind[]);

export function classifyFailure(error: unknown): Failure {
  if (error instanceof InvalidInputError) return { kind: "invalid-input", problem: error.problem };
  if (error instanceof NoMatchError) return { kind: "not-found", lookup: error.lookup };
  if (error instanceof MissingApiKeyError) return { kind: "missing-key" };
  if (error instanceof BudgetExceededError) {
    return { kind: "budget", budgetCredits: error.budgetCredits };
  }
  if (error instanceof GatewayBudgetError) {
    return { kind: "gateway-budget", budgetCredits: error.budgetCredits };
  }
  if (error instanceof NotCachedError) return { kind: "not-cached" };
  if (error instanceof GeoBatchStoppedError) return { kind: "stopped" };
  if (error instanceof LookupFailedError) {
    const kind: string = error.kind;
    return WORDED_LOOKUP_FAILURES.has(kind) ? ({ kind } as Failure) : { kind: "unknown" };
  }
  // An AbortSignal's default reason: the cell was cancelled before the runtime saw the lookup.
  if (error instanceof Error && error.name === "AbortError") return { kind: "aborted" };
  return { kind: "unknown" };
}
