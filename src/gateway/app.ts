// One gateway replica: fastify in front, the broker and the upstream jobs behind, Redis for
// everything replicas share. Nothing here is kept that another replica would need.

import cors from "@fastify/cors";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { Authenticator } from "./auth";
import { JobBroker } from "./broker";
import type { GatewayConfig } from "./config";
import { GatewayMetrics } from "./metrics";
import { registerRoutes } from "./routes";
import { utcDay } from "./clock";
import { GatewayStore, openRedis } from "./store/store";
import { UpstreamClient } from "./upstream";
import { UpstreamJobs } from "./upstream-jobs";

/** Geoapify accepts batch bodies up to this size; larger ones get 413. */
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface Gateway {
  app: FastifyInstance;
  /** Listens; resolves the base URL. */
  listen(): Promise<string>;
  /** Stops taking requests, answers those in flight, lets upstream leases go. */
  close(): Promise<void>;
}

export interface GatewayTuning {
  /** pino destination; default stdout. */
  logStream?: NodeJS.WritableStream;
  /** Upstream job lease, for tests of a replica's death. */
  leaseMs?: number;
}

export function createGateway(config: GatewayConfig, tuning: GatewayTuning = {}): Gateway {
  const app = Fastify({
    logger: {
      level: process.env.LOG_LEVEL || "info",
      stream: tuning.logStream,
      // The URL carries the user's token in apiKey=, headers may carry a JWT: neither is logged.
      redact: ["req.url", "req.headers.authorization", "req.query.apiKey"],
    },
    // fastify's own request lines hold the URL; ours (onResponse below) do not.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: true,
    return503OnClosing: false,
  });
  const store = new GatewayStore(openRedis(config.redisUrl));
  const metrics = new GatewayMetrics(() => store.users.creditsByUser(utcDay(Date.now())));
  const upstream = new UpstreamClient(
    { baseUrl: config.upstream, apiKey: config.apiKey, ratePerSecond: config.ratePerSecond },
    store,
    metrics,
    app.log
  );
  const ttl = { found: config.cacheTtlSeconds, notFound: config.notFoundTtlSeconds };
  const jobs = new UpstreamJobs(store, upstream, metrics, app.log, {
    windowMs: config.windowMs,
    ttl,
    leaseMs: tuning.leaseMs,
  });
  const broker = new JobBroker(store, upstream, metrics, ttl);
  const auth = new Authenticator(store, config);

  void app.register(cors, {
    origin: config.allowedOrigins,
    methods: ["GET", "POST"],
    allowedHeaders: ["Content-Type", "Authorization"],
    exposedHeaders: ["Retry-After"],
  });
  app.addHook("onResponse", (request, reply, done) => {
    // One line per request, without the URL (it carries the token): route, status, user, time.
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? "(none)",
        status: reply.statusCode,
        user: request.user,
        ms: Math.round(reply.elapsedTime),
      },
      "answered"
    );
    done();
  });
  registerRoutes(app, { store, auth, broker, metrics });

  return {
    app,
    async listen() {
      // Serve either way: without Redis every answer is a 503 until it comes.
      await store.ready(5_000).catch(() => app.log.warn("Redis is unreachable; serving 503s"));
      jobs.start();
      return app.listen({ host: config.host, port: config.port });
    },
    async close() {
      await app.close();
      await jobs.stop();
      await store.close();
    },
  };
}
