// Failures the runtime itself decides, beside the Geoapify client's typed errors. Like those,
// they carry facts, not wording: src/functions/messages.ts turns each into the words a cell shows.

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
