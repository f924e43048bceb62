// Failures of a lookup as the runtime reports them to the functions: the ones it decides itself
// and the Geoapify client's typed errors, translated (the functions never see the client). They
// carry facts, not wording: src/functions/messages.ts turns each into the words a cell shows.

import type { GeoapifyErrorKind } from "../geoapify/errors";

/** Why Geoapify's client could not answer a lookup: its error kind, passed on as a fact. */
export type LookupFailureKind = GeoapifyErrorKind;

/** The client could not answer this lookup (auth, quota, network, an unreadable answer…). */
export class LookupFailedError extends Error {
  override readonly name = "LookupFailedError";

  constructor(
    readonly kind: LookupFailureKind,
    /** The HTTP status it came with, if any, for telemetry. */
    readonly status?: number
  ) {
    super(`Lookup failed: ${kind}`);
  }
}

/** Settles every waiter when the runtime goes away, so no cell is left #BUSY!. */
export class GeoBatchStoppedError extends Error {
  override readonly name = "GeoBatchStoppedError";

  constructor() {
    super("GeoBatch was stopped");
  }
}

/**
 * Formula value preview asked for a lookup the cache does not hold. Previews never spend
 * credits, so nothing was queued: the cell asks again once the formula is entered.
 */
export class NotCachedError extends Error {
  override readonly name = "NotCachedError";

  constructor() {
    super("Not cached: previews answer from the cache only");
  }
}

/** Sending this lookup would take today's credits past the daily budget set in the pane. */
export class BudgetExceededError extends Error {
  override readonly name = "BudgetExceededError";

  constructor(readonly budgetCredits: number) {
    super(`Daily budget of ${budgetCredits} credits reached`);
  }
}

/** A team gateway refused the work: its user's daily budget (when it named it) is spent. */
export class GatewayBudgetError extends Error {
  override readonly name = "GatewayBudgetError";

  constructor(readonly budgetCredits?: number) {
    super("The team gateway's daily budget is spent");
  }
}
