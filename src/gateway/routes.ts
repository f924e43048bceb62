// HTTP in and out: Geoapify's paths, status codes and bodies, so the add-in needs nothing but its
// endpoint pointed here. The token travels as `apiKey=` (or a Bearer JWT with OIDC); the gateway
// answers its own 202 url, never with a key in it.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator, Caller } from "./auth";
import { BudgetExceededError, type JobBroker } from "./broker";
import { secondsToNextUtcDay, utcDay } from "./clock";
import { BadRequestError, itemGroup, readBatch, readOptions, readSingle } from "./inputs";
import type { GatewayMetrics } from "./metrics";
import { StoreUnavailableError, type GatewayStore } from "./store/store";
import { UpstreamUnavailableError } from "./upstream";

const KIND = { type: "string", enum: ["search", "reverse"] } as const;
const QUERY = {
  type: "object",
  properties: {
    apiKey: { type: "string" },
    id: { type: "string" },
    lang: { type: "string" },
    filter: { type: "string" },
    text: { type: "string" },
    lat: { type: "string" },
    lon: { type: "string" },
    format: { type: "string" },
  },
} as const;
const KIND_PARAMS = { type: "object", properties: { kind: KIND }, required: ["kind"] } as const;
const JOB_ID = /^[0-9a-f]{32}$/;

type Query = Record<string, string | undefined>;
type Request = FastifyRequest<{ Params: { kind: "search" | "reverse" }; Querystring: Query }>;

export interface RouteParts {
  store: GatewayStore;
  auth: Authenticator;
  broker: JobBroker;
  metrics: GatewayMetrics;
}

export function errorBody(statusCode: number, error: string, message?: string) {
  return message === undefined ? { statusCode, error } : { statusCode, error, message };
}

export function registerRoutes(app: FastifyInstance, parts: RouteParts): void {
  const { store, auth, broker, metrics } = parts;

  const caller = async (request: FastifyRequest, reply: FastifyReply): Promise<Caller | null> => {
    const query = request.query as Query;
    const found = await auth.caller(query.apiKey, request.headers.authorization);
    if (!found) {
      void reply.code(401).send(errorBody(401, "Unauthorized", "Invalid apiKey"));
      return null;
    }
    request.user = found.name;
    return found;
  };

  const schema = { params: KIND_PARAMS, querystring: QUERY };

  app.post("/v1/batch/geocode/:kind", { schema }, async (request: Request, reply) => {
    const user = await caller(request, reply);
    if (!user) return reply;
    const { kind } = request.params;
    const options = readOptions(request.query);
    const items = readBatch(kind, options, request.body);
    const id = await broker.submit(user, itemGroup(kind, options), items);
    const url = `${request.protocol}://${request.host}/v1/batch/geocode/${kind}?id=${id}`;
    return reply.code(202).send({ id, status: "pending", url });
  });

  app.get("/v1/batch/geocode/:kind", { schema }, async (request: Request, reply) => {
    const user = await caller(request, reply);
    if (!user) return reply;
    const id = request.query.id ?? "";
    if (!JOB_ID.test(id)) return reply.code(404).send(errorBody(404, "Not Found"));
    const answer = await broker.poll(user, id, request.params.kind);
    if (answer.state === "unknown") return reply.code(404).send(errorBody(404, "Not Found"));
    if (answer.state === "pending") {
      const url = `${request.protocol}://${request.host}/v1/batch/geocode/${request.params.kind}?id=${id}`;
      return reply.code(202).send({ id, status: "pending", url });
    }
    return reply.code(200).send(answer.results);
  });

  app.get("/v1/geocode/:kind", { schema }, async (request: Request, reply) => {
    const user = await caller(request, reply);
    if (!user) return reply;
    const { kind } = request.params;
    const options = readOptions(request.query);
    const item = readSingle(kind, options, request.query);
    const answer = await broker.single(user, itemGroup(kind, options), item);
    return reply.code(answer.status).send(answer.body);
  });

  app.get("/v1/gateway/usage", { schema: { querystring: QUERY } }, async (request, reply) => {
    const user = await caller(request, reply);
    if (!user) return reply;
    const day = utcDay(Date.now());
    return {
      user: user.name,
      day,
      creditsToday: await store.users.creditsOn(day, user.name),
      dailyBudgetCredits: user.dailyBudget,
    };
  });

  app.get("/healthz", async (_request, reply) => {
    if (await store.ping()) return { status: "ok" };
    return reply.code(503).send(errorBody(503, "Service Unavailable", "Redis is unreachable"));
  });

  app.get("/metrics", async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send(errorBody(404, "Not Found"));
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof BadRequestError) {
      return reply.code(400).send(errorBody(400, "Bad Request", error.message));
    }
    if (error instanceof BudgetExceededError) {
      return reply
        .code(429)
        .header("Retry-After", String(secondsToNextUtcDay(Date.now())))
        .send(errorBody(429, "Budget Exceeded", error.message));
    }
    if (error instanceof StoreUnavailableError) {
      return reply
        .code(503)
        .header("Retry-After", "2")
        .send(errorBody(503, "Service Unavailable", "The gateway's store is unreachable"));
    }
    if (error instanceof UpstreamUnavailableError) {
      return reply
        .code(503)
        .header("Retry-After", "5")
        .send(errorBody(503, "Service Unavailable", "Geoapify is busy: try again shortly"));
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) {
      return reply.code(413).send(errorBody(413, "Payload Too Large", "Request body is too large"));
    }
    if (status !== undefined && status >= 400 && status < 500) {
      const message =
        (error as { code?: string }).code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
        error instanceof SyntaxError
          ? "Invalid request payload JSON format"
          : (error as Error).message;
      return reply.code(400).send(errorBody(400, "Bad Request", message));
    }
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send(errorBody(500, "Internal Server Error", "Request failed"));
  });
}

declare module "fastify" {
  interface FastifyRequest {
    user?: string;
  }
}
