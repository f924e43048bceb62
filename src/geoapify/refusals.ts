// Answers whose meaning is in the body, not the status: a team gateway (contract 2) refuses a job
// over its user's daily budget with a 429 in Geoapify's shape whose `error` is "Budget Exceeded".
// Unlike Geoapify's own 429 it says nothing about the rate: waiting, slowing down or concluding a
// quota cannot help before the next UTC day, so it ends the request at once.

import { GeoapifyError } from "./errors";

export const BUDGET_EXCEEDED = "Budget Exceeded";

/** The gateway's budget refusal as a "budget" error, or undefined for any other answer. */
export function budgetRefusal(exchange: {
  status: number;
  body: string;
}): GeoapifyError | undefined {
  if (exchange.status !== 429) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(exchange.body);
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const { error, message } = body as { error?: unknown; message?: unknown };
  if (error !== BUDGET_EXCEEDED) return undefined;
  // "Daily budget of 500 credits is spent": the number is a fact the cell's words repeat.
  const budget = /(\d+(?:\.\d+)?) credits/.exec(typeof message === "string" ? message : "");
  return new GeoapifyError(
    "budget",
    429,
    "team gateway's daily budget spent",
    budget ? Number(budget[1]) : undefined
  );
}
