// The emulator's dev-only control API, so the workbench page and end-to-end tests can switch
// rate, outage and slow-job modes while the emulator runs:
//
//   GET  /__emulator/stats   -> EmulatorStats (request counts by kind and status, 429s by limit)
//   GET  /__emulator/modes   -> EmulatorModes
//   POST /__emulator/modes   JSON: any of the modes below -> the modes now in force
//   POST /__emulator/reset   forgets requests, jobs and faults; modes back to the options
//
// Mode fields: neverFinish, quotaExhausted (booleans); rateLimitPerSecond (integer >= 0, 0: no
// limit); latencyMs, jobBaseMs, jobPerAddressMs (numbers >= 0); jobMs, retryAfterSeconds
// (numbers >= 0, or null for none); outageFrom, outageUntil (times on the emulator's clock); and
// the relative form outageSeconds with optional outageAfterSeconds ({"outageSeconds": 0} ends an
// outage); cutSubmits, cutPolls (integers >= 0: that many next answers cut off mid-JSON).
//
// Guards, because this is a test backdoor: it answers only on loopback, sends no CORS headers
// (a page of another origin can neither read it nor send it JSON), and changes state only for
// a JSON content type, which a cross-origin form cannot send. The dev server reaches it through
// its /emulator proxy, same-origin with the workbench. Geoapify has no such paths, and these
// requests are never recorded or rate-limited.

import type { IncomingMessage } from "node:http";
import { ClientError, errorAnswer, type Answer } from "./http";
import type { EmulatorModes, EmulatorStats } from "./types";

export const CONTROL_PREFIX = "/__emulator/";

/** What the control API may do to an emulator. */
export interface Controllable {
  stats(): EmulatorStats;
  readonly modes: EmulatorModes;
  set(modes: Partial<EmulatorModes>): void;
  startOutage(durationMs: number, afterMs?: number): void;
  reset(): void;
}

type ModeChange = Partial<EmulatorModes> & { outageSeconds?: number; outageAfterSeconds?: number };

const BOOLEAN_FIELDS = ["neverFinish", "quotaExhausted"] as const;
const NUMBER_FIELDS = [
  "rateLimitPerSecond",
  "latencyMs",
  "jobBaseMs",
  "jobPerAddressMs",
  "outageFrom",
  "outageUntil",
  "outageSeconds",
  "outageAfterSeconds",
  "cutSubmits",
  "cutPolls",
] as const;
const NULLABLE_NUMBER_FIELDS = ["jobMs", "retryAfterSeconds"] as const;
const FIELDS: readonly string[] = [...BOOLEAN_FIELDS, ...NUMBER_FIELDS, ...NULLABLE_NUMBER_FIELDS];

function isLoopback(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? "";
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

function parseModeChange(text: string): ModeChange {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ClientError(400, "Invalid request payload JSON format");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ClientError(400, '"body" must be an object');
  }
  for (const [name, value] of Object.entries(body)) {
    if (!FIELDS.includes(name)) {
      throw new ClientError(400, `"${name}" is not allowed; modes are ${FIELDS.join(", ")}`);
    }
    const expected = (BOOLEAN_FIELDS as readonly string[]).includes(name) ? "boolean" : "number";
    const nullable = (NULLABLE_NUMBER_FIELDS as readonly string[]).includes(name);
    if (typeof value !== expected && !(nullable && value === null)) {
      throw new ClientError(400, `"${name}" must be a ${expected}${nullable ? " or null" : ""}`);
    }
  }
  return body as ModeChange;
}

function apply(emulator: Controllable, change: ModeChange): void {
  const { outageSeconds, outageAfterSeconds, ...modes } = change;
  if (outageAfterSeconds !== undefined && outageSeconds === undefined) {
    throw new ClientError(400, '"outageAfterSeconds" needs "outageSeconds"');
  }
  for (const [name, value] of Object.entries({ outageSeconds, outageAfterSeconds })) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new ClientError(400, `"${name}" must be a number >= 0`);
    }
  }
  try {
    emulator.set(modes);
    if (outageSeconds !== undefined) {
      emulator.startOutage(outageSeconds * 1000, (outageAfterSeconds ?? 0) * 1000);
    }
  } catch (error) {
    if (error instanceof RangeError) throw new ClientError(400, error.message);
    throw error;
  }
}

/** Answers a request under CONTROL_PREFIX; `body` is the request body ("" for a GET). */
export function controlAnswer(
  emulator: Controllable,
  req: IncomingMessage,
  path: string,
  body: string
): Answer {
  if (!isLoopback(req)) return errorAnswer(403, "The emulator control API answers loopback only");
  const route = `${req.method ?? "GET"} ${path.slice(CONTROL_PREFIX.length)}`;
  if (route === "GET stats") return { status: 200, body: emulator.stats() };
  if (route === "GET modes") return { status: 200, body: emulator.modes };
  if (route !== "POST modes" && route !== "POST reset") return errorAnswer(404, "Not Found");
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    return errorAnswer(415, "The emulator control API takes Content-Type: application/json");
  }
  try {
    if (route === "POST reset") emulator.reset();
    else apply(emulator, parseModeChange(body));
  } catch (error) {
    if (error instanceof ClientError) return errorAnswer(error.status, error.message);
    throw error;
  }
  return { status: 200, body: emulator.modes };
}
