// The one request a team gateway answers beyond Geoapify's API: `GET /v1/gateway/usage`, the
// user its token belongs to, their credits today and their daily budget (contract 4). It costs
// nothing upstream, so it does not wait for the plan's rate.

import type { Credentials } from "./transport";
import { httpExchange } from "./http";

export const GATEWAY_USAGE_PATH = "/v1/gateway/usage";

export interface GatewayUsage {
  user: string;
  /** The UTC day counted, "2026-12-05". */
  day: string;
  creditsToday: number;
  /** Null: the user has no daily budget. */
  dailyBudgetCredits: number | null;
}

/**
 * The usage of the token's user; "rejected" when the gateway refuses the token (401/403);
 * undefined when it cannot tell (no answer, another status, an unreadable body). Never throws:
 * fetch's errors quote the URL, and the token is in it.
 */
export async function readGatewayUsage(
  baseUrl: string,
  credentials: Credentials,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {}
): Promise<GatewayUsage | "rejected" | undefined> {
  try {
    const response = await httpExchange(`${baseUrl}${GATEWAY_USAGE_PATH}`, {
      method: "get",
      params: { apiKey: credentials.apiKey },
      headers: credentials.bearer ? { Authorization: `Bearer ${credentials.bearer}` } : undefined,
      timeoutMs: options.timeoutMs ?? 10_000,
      fetch: options.fetch,
    });
    if (response.status === 401 || response.status === 403) return "rejected";
    if (response.status !== 200) return undefined;
    const body: unknown = await response.json();
    return isUsage(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

function isUsage(value: unknown): value is GatewayUsage {
  if (typeof value !== "object" || value === null) return false;
  const { user, day, creditsToday, dailyBudgetCredits } = value as Record<string, unknown>;
  return (
    typeof user === "string" &&
    user !== "" &&
    typeof day === "string" &&
    typeof creditsToday === "number" &&
    (dailyBudgetCredits === null || typeof dailyBudgetCredits === "number")
  );
}
