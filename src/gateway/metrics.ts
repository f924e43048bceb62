// Prometheus metrics of one replica (prom-client), plus the team's credits today read from Redis
// when scraped.

import { Counter, Gauge, Registry } from "prom-client";

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly upstreamRequests = new Counter({
    name: "gateway_upstream_requests_total",
    help: "Requests sent to Geoapify, by purpose and status",
    labelNames: ["purpose", "status"] as const,
    registers: [this.registry],
  });
  readonly upstream429s = new Counter({
    name: "gateway_upstream_429_total",
    help: "429 answers from Geoapify",
    registers: [this.registry],
  });
  readonly cacheHits = new Counter({
    name: "gateway_cache_hits_total",
    help: "Lookups answered from the shared cache",
    registers: [this.registry],
  });
  readonly cacheMisses = new Counter({
    name: "gateway_cache_misses_total",
    help: "Lookups not in the shared cache (joined or sent upstream)",
    registers: [this.registry],
  });
  readonly jobsInFlight = new Gauge({
    name: "gateway_upstream_jobs_in_flight",
    help: "Upstream jobs this replica is submitting or polling",
    registers: [this.registry],
  });
  readonly creditsToday: Gauge<"user">;

  constructor(creditsToday: () => Promise<Record<string, number>>) {
    this.creditsToday = new Gauge({
      name: "gateway_credits_today",
      help: "Credits each user spent today (UTC)",
      labelNames: ["user"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const [user, credits] of Object.entries(await creditsToday())) {
            this.set({ user }, credits);
          }
        } catch {
          // Redis unreachable: the other metrics are still worth scraping.
        }
      },
    });
  }
}
