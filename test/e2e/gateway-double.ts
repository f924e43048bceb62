// A tiny team gateway on a free loopback port, for the pane's browser tests: it speaks the shared
// contracts exactly — Geoapify's wire relayed to the emulator with the company's key (the user's
// token never goes upstream) and its own 202 `url` without an apiKey (1), the budget refusal (2),
// the usage endpoint (4) and CORS for the page's origin with Retry-After exposed (5) — and knows
// tokens, not Redis. The real service lives in src/gateway; this double tests the add-in's side.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback, type StaticServer } from "./harness";

/** The key only the gateway holds; the emulator accepts any. */
const UPSTREAM_KEY = "company-key-e2e";

export interface GatewayDouble {
  origin: string;
  /** Tokens the gateway knows, each with its user. */
  tokens: Map<string, string>;
  /** New jobs get the budget's 429 while set. */
  budgetSpent: boolean;
  dailyBudgetCredits: number | null;
  creditsToday: number;
  /** Every request's method, path and the token it carried, in arrival order. */
  requests: Array<{ method: string; path: string; token: string | null }>;
  close(): Promise<void>;
}

export async function startGatewayDouble(
  upstream: string,
  allowedOrigin: string
): Promise<GatewayDouble> {
  const state = {
    tokens: new Map<string, string>(),
    budgetSpent: false,
    dailyBudgetCredits: 500 as number | null,
    creditsToday: 12.5,
    requests: [] as GatewayDouble["requests"],
  };
  let server: StaticServer | undefined;
  const http = createServer((request, response) => {
    void handle(request, response).catch(() => send(response, 500, { statusCode: 500 }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.headers.origin === allowedOrigin) {
      response.setHeader("Access-Control-Allow-Origin", allowedOrigin);
      response.setHeader("Access-Control-Expose-Headers", "Retry-After");
      response.setHeader("Vary", "Origin");
    }
    if (request.method === "OPTIONS") {
      response.setHeader("Access-Control-Allow-Methods", "GET, POST");
      response.setHeader("Access-Control-Allow-Headers", "Content-Type, Authorization");
      response.writeHead(204).end();
      return;
    }
    const url = new URL(request.url ?? "/", "http://gateway");
    const token = url.searchParams.get("apiKey");
    state.requests.push({ method: request.method ?? "", path: url.pathname, token });
    const user = state.tokens.get(token ?? "");
    if (user === undefined) {
      return send(response, 401, {
        statusCode: 401,
        error: "Unauthorized",
        message: "Invalid apiKey",
      });
    }
    if (url.pathname === "/v1/gateway/usage") {
      return send(response, 200, {
        user,
        day: new Date().toISOString().slice(0, 10),
        creditsToday: state.creditsToday,
        dailyBudgetCredits: state.dailyBudgetCredits,
      });
    }
    if (state.budgetSpent && request.method === "POST") {
      const midnight = new Date();
      midnight.setUTCHours(24, 0, 0, 0);
      return send(
        response,
        429,
        {
          statusCode: 429,
          error: "Budget Exceeded",
          message: `Daily budget of ${state.dailyBudgetCredits} credits is spent`,
        },
        { "Retry-After": String(Math.ceil((midnight.getTime() - Date.now()) / 1000)) }
      );
    }
    url.searchParams.set("apiKey", UPSTREAM_KEY);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: request.method,
      headers: { "Content-Type": "application/json" },
      body: request.method === "POST" ? Buffer.concat(chunks) : undefined,
    });
    const body = (await answer.json()) as Record<string, unknown>;
    // The gateway writes its own 202 url: Geoapify's carries the company key.
    if (answer.status === 202 && typeof body.id === "string") {
      body.url = `${server?.origin}${url.pathname}?id=${body.id}`;
    }
    send(response, answer.status, body);
  }

  server = await listenOnLoopback(http);
  return Object.assign(state, { origin: server.origin, close: () => server.close() });
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  response.writeHead(status, { "Content-Type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}
