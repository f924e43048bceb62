// The status line at the top of the pane: one sentence about the state that matters most now,
// and the one action that fixes it. Problems outrank progress, so a run stalled by a rejected key
// says so instead of "working".

import type { PaneModel } from "./view-model";
import { words } from "./wording";

/** What the status's button does; the pane wires each to its section. */
export type StatusAction = "enter-key" | "check-key" | "raise-budget" | "set-rate" | "retry-failed";

export interface PaneStatus {
  tone: "ready" | "working" | "warning" | "error";
  text: string;
  action?: StatusAction;
}

export function statusOf(model: PaneModel, now: number): PaneStatus {
  if (model.key === "missing") {
    return { tone: "error", text: words.status.keyMissing, action: "enter-key" };
  }
  if (model.key === "rejected") {
    return { tone: "error", text: words.status.keyRejected, action: "enter-key" };
  }
  const credits = model.credits;
  if (credits?.budget !== undefined && credits.spent >= credits.budget) {
    // Only the gateway's administrator can raise a gateway's budget: no action here.
    if (credits.user !== undefined) {
      return { tone: "error", text: words.status.gatewayBudget(credits.budget) };
    }
    return { tone: "error", text: words.status.budget(credits.budget), action: "raise-budget" };
  }
  const wait = model.activeWait(now);
  if (wait?.kind === "quota") return { tone: "error", text: words.status.quota };
  if (wait)
    return { tone: "warning", text: words.status.rateWait(wait.seconds), action: "set-rate" };
  const outageUntil = model.outageUntil ?? -Infinity;
  if (outageUntil > now) {
    return { tone: "warning", text: words.status.outage(Math.ceil((outageUntil - now) / 1000)) };
  }

  const { queued, inFlight, done, failed } = model.progress();
  const jobs = model.scheduler?.jobsInFlight ?? model.jobs.size;
  if (queued + inFlight > 0 || jobs > 0) {
    const text = words.status.working(
      done + failed,
      done + failed + queued + inFlight,
      jobs,
      model.oldestJobSeconds(now)
    );
    return { tone: "working", text };
  }
  // A wait that ended (or any run that ended) with failures offers the retry.
  if (failed > 0) {
    return {
      tone: "warning",
      text: words.status.finishedWithFailures(failed),
      action: "retry-failed",
    };
  }
  return { tone: "ready", text: words.status.ready };
}

export function actionLabel(action: StatusAction): string {
  switch (action) {
    case "enter-key":
      return words.actions.enterKey;
    case "check-key":
      return words.actions.checkKey;
    case "raise-budget":
      return words.actions.raiseBudget;
    case "set-rate":
      return words.actions.lowerRate;
    case "retry-failed":
      return words.actions.retryFailed;
  }
}
