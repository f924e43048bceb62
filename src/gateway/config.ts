// The gateway's settings, read once from the environment. Every name here is documented in the
// README's "Team gateway" section; a test checks that compose.yaml names only these.

export interface GatewayConfig {
  /** The company's Geoapify key: sent upstream only, never logged, never answered. */
  apiKey: string;
  upstream: string;
  redisUrl: string;
  host: string;
  port: number;
  ratePerSecond: number;
  allowedOrigins: string[];
  windowMs: number;
  cacheTtlSeconds: number;
  notFoundTtlSeconds: number;
  /** Daily credits of a user created by sign-in; null for none. */
  defaultDailyBudget: number | null;
  oidc: { issuer: string; audience: string; jwksUrl: string } | null;
}

export const SETTING_NAMES = [
  "GEOAPIFY_API_KEY",
  "GATEWAY_UPSTREAM",
  "REDIS_URL",
  "GATEWAY_HOST",
  "GATEWAY_PORT",
  "GATEWAY_RATE_PER_SECOND",
  "GATEWAY_ALLOWED_ORIGINS",
  "GATEWAY_WINDOW_MS",
  "GATEWAY_CACHE_TTL_SECONDS",
  "GATEWAY_NOT_FOUND_TTL_SECONDS",
  "GATEWAY_DEFAULT_DAILY_BUDGET",
  "GATEWAY_OIDC_ISSUER",
  "GATEWAY_OIDC_AUDIENCE",
  "GATEWAY_OIDC_JWKS_URL",
] as const;

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

export function redisUrlFrom(env: Env): string {
  return env.REDIS_URL || DEFAULT_REDIS_URL;
}

export function readConfig(env: Env): GatewayConfig {
  const apiKey = env.GEOAPIFY_API_KEY?.trim();
  if (!apiKey) {
    throw new ConfigError("GEOAPIFY_API_KEY is not set: the gateway needs the company's key");
  }
  const issuer = env.GATEWAY_OIDC_ISSUER;
  const audience = env.GATEWAY_OIDC_AUDIENCE;
  const jwksUrl = env.GATEWAY_OIDC_JWKS_URL;
  const oidcParts = [issuer, audience, jwksUrl].filter(Boolean).length;
  if (oidcParts !== 0 && oidcParts !== 3) {
    throw new ConfigError(
      "GATEWAY_OIDC_ISSUER, GATEWAY_OIDC_AUDIENCE and GATEWAY_OIDC_JWKS_URL go together"
    );
  }
  const budget = env.GATEWAY_DEFAULT_DAILY_BUDGET;
  return {
    apiKey,
    upstream: (env.GATEWAY_UPSTREAM || "https://api.geoapify.com").replace(/\/+$/, ""),
    redisUrl: redisUrlFrom(env),
    host: env.GATEWAY_HOST || "127.0.0.1",
    port: numberSetting(env, "GATEWAY_PORT", 8787, 0),
    ratePerSecond: numberSetting(env, "GATEWAY_RATE_PER_SECOND", 5, 0.1),
    allowedOrigins: (env.GATEWAY_ALLOWED_ORIGINS || "https://localhost:3000,http://localhost:3000")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
    windowMs: numberSetting(env, "GATEWAY_WINDOW_MS", 50, 0),
    cacheTtlSeconds: numberSetting(env, "GATEWAY_CACHE_TTL_SECONDS", 30 * 86_400, 1),
    notFoundTtlSeconds: numberSetting(env, "GATEWAY_NOT_FOUND_TTL_SECONDS", 86_400, 1),
    defaultDailyBudget: budget ? numberSetting(env, "GATEWAY_DEFAULT_DAILY_BUDGET", 0, 0) : null,
    oidc: issuer && audience && jwksUrl ? { issuer, audience, jwksUrl } : null,
  };
}

function numberSetting(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new ConfigError(`${name} must be a number of at least ${min}, not "${raw}"`);
  }
  return value;
}
