// A team gateway as the add-in sees it, for tests on Vitest's fake clock: in front of the
// in-memory FakeGeoapify (which then stands for what the gateway relays), it speaks the gateway's
// own answers exactly as the shared contracts write them — the budget refusal (429 "Budget
// Exceeded" with Retry-After to the next UTC midnight), the outage (503 "Service Unavailable"
// with Retry-After), the usage endpoint, and 401 for a token it does not know. The token travels
// as `apiKey=`, or as an `Authorization: Bearer` JWT where Office SSO gives one.

import { answerFor, FakeGeoapify, type FakeGeoapifyOptions } from "./fake-geoapify";

export const GATEWAY_ORIGIN = "http://127.0.0.1:8787";
export const GATEWAY_TOKEN = "gw-token-alice-0f3a9c";
/** The company's Geoapify key, which only the gateway holds. */
const UPSTREAM_KEY = "company-key-9e8d7c";
/** A JWT as Office SSO would hand one out (the double does not verify it). */
export const SSO_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

export interface GatewayRequest {
  method: string;
  url: URL;
  authorization: string | null;
  status: number;
  /** Fake-clock arrival time. */
  at: number;
}

export class FakeGateway {
  /** What the gateway relays to: jobs, polls and single lookups answer as Geoapify does. */
  readonly upstream: FakeGeoapify;
  readonly requests: GatewayRequest[] = [];
  /** Tokens it knows, each with its user. */
  readonly tokens = new Map<string, string>([[GATEWAY_TOKEN, "alice"]]);
  dailyBudgetCredits: number | null = 500;
  creditsToday = 12.5;
  /** New jobs are refused with the budget's 429 while set. */
  budgetSpent = false;
  /** Every request answers 503 until this fake time. */
  private unavailableUntil = -Infinity;
  private readonly retryAfterSeconds: string;

  constructor(options: Partial<FakeGeoapifyOptions> & { retryAfterSeconds?: string } = {}) {
    this.upstream = new FakeGeoapify({ apiKey: UPSTREAM_KEY, origin: GATEWAY_ORIGIN, ...options });
    this.retryAfterSeconds = options.retryAfterSeconds ?? "2";
  }

  /** 503 for every request for `ms` of fake time from now (Redis down behind the gateway). */
  outage(ms: number): void {
    this.unavailableUntil = Date.now() + ms;
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request?.url ?? String(input));
    const method = (request?.method ?? init?.method ?? "GET").toUpperCase();
    const headers = new Headers(request?.headers ?? init?.headers);
    const authorization = headers.get("authorization");
    const record = (status: number) =>
      this.requests.push({ method, url, authorization, status, at: Date.now() });
    const answer = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      record(status);
      return new Response(JSON.stringify(body), {
        status,
        headers: { "Content-Type": "application/json", ...extra },
      });
    };
    if (Date.now() < this.unavailableUntil) {
      return answer(
        503,
        { statusCode: 503, error: "Service Unavailable", message: "Redis is unreachable" },
        { "Retry-After": this.retryAfterSeconds }
      );
    }
    const user = this.tokens.get(url.searchParams.get("apiKey") ?? "");
    if (user === undefined && !authorization?.startsWith("Bearer ")) {
      return answer(401, { statusCode: 401, error: "Unauthorized", message: "Invalid apiKey" });
    }
    if (url.pathname === "/v1/gateway/usage") {
      return answer(200, {
        user: user ?? "alice",
        day: new Date(Date.now()).toISOString().slice(0, 10),
        creditsToday: this.creditsToday,
        dailyBudgetCredits: this.dailyBudgetCredits,
      });
    }
    if (url.pathname === "/v1/geocode/search") {
      // The upstream double speaks batches only: a single lookup is answered here, as the
      // gateway answers one from its shared cache, in Geoapify's format=json shape.
      const text = url.searchParams.get("text") ?? "";
      const place = answerFor(text);
      return answer(200, {
        results: place ? [{ ...place, formatted: text }] : [],
        query: { text },
      });
    }
    if (this.budgetSpent && method === "POST") {
      return answer(
        429,
        {
          statusCode: 429,
          error: "Budget Exceeded",
          message: `Daily budget of ${this.dailyBudgetCredits} credits is spent`,
        },
        { "Retry-After": String(secondsToUtcMidnight()) }
      );
    }
    // Relayed with the gateway's own key: a user's token never goes upstream.
    const relayed = new URL(url);
    relayed.searchParams.set("apiKey", UPSTREAM_KEY);
    const body = method === "POST" ? await (request ?? new Request(url, init)).text() : undefined;
    const response = await this.upstream.fetch(relayed, { method, body, signal: init?.signal });
    record(response.status);
    return response;
  };
}

function secondsToUtcMidnight(): number {
  const now = Date.now();
  const midnight = new Date(now);
  midnight.setUTCHours(24, 0, 0, 0);
  return Math.ceil((midnight.getTime() - now) / 1000);
}
