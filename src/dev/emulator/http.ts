// The HTTP plumbing the emulator's handlers share: answers as values, Geoapify's error body,
// bounded body reading and writing an answer with its CORS headers.

import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { ApiErrorBody } from "../../geoapify/types";

/** An answer to write, decided before writing so handlers stay free of sockets. */
export type Answer =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { raw: string; status?: number }
  | "drop";

/** Thrown by request parsing to answer a client error. */
export class ClientError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

export function errorAnswer(
  status: number,
  message: string,
  headers?: Record<string, string>
): Answer {
  const body: ApiErrorBody = {
    statusCode: status,
    error: STATUS_CODES[status] ?? "Error",
    message,
  };
  return { status, body, headers };
}

/**
 * Geoapify's one 429, for a burst over the rate and a spent daily quota alike (GEOAPIFY.md):
 * `{"statusCode":429,"error":"Too Many Requests","message":"Quota exceeded"}`.
 */
export function tooManyRequests(
  retryAfterSeconds: number | null | undefined,
  message = "Quota exceeded"
): Answer {
  const headers =
    retryAfterSeconds === null || retryAfterSeconds === undefined
      ? undefined
      : { "Retry-After": String(retryAfterSeconds) };
  return errorAnswer(429, message, headers);
}

/** Comfortably above 1,000 addresses of 1,024 characters. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Marks a body that exceeded MAX_BODY_BYTES; it was drained but not kept. */
export const TOO_LARGE = Symbol("too large");

/** Resolves the body text, TOO_LARGE, or undefined when the client went away. */
export function readBody(req: IncomingMessage): Promise<string | typeof TOO_LARGE | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining so that the 413 can still be written; just stop buffering.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () =>
      resolve(size > MAX_BODY_BYTES ? TOO_LARGE : Buffer.concat(chunks).toString())
    );
    // After "end" these are no-ops: a promise settles once.
    req.on("error", () => resolve(undefined));
    req.on("close", () => resolve(undefined));
  });
}

/** The poll URL must point back at whatever address the client used to reach us. */
export function origin(req: IncomingMessage): string {
  const protocol = (req.socket as TLSSocket).encrypted ? "https" : "http";
  return `${protocol}://${req.headers.host ?? `127.0.0.1:${req.socket.localPort}`}`;
}

/** Writes an answer; resolves the status written, or 0 when the connection was dropped. */
export function writeAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  answer: Answer,
  extraHeaders: Record<string, string>
): number {
  if (res.destroyed) return 0;
  if (answer === "drop") {
    req.socket.destroy();
    return 0;
  }
  const payload =
    "raw" in answer ? answer.raw : answer.body === undefined ? "" : JSON.stringify(answer.body);
  const status = "raw" in answer ? (answer.status ?? 200) : answer.status;
  res.writeHead(status, {
    ...extraHeaders,
    ...(payload ? { "Content-Type": "application/json; charset=utf-8" } : {}),
    "Content-Length": Buffer.byteLength(payload),
    ...("raw" in answer ? {} : answer.headers),
  });
  res.end(payload);
  return status;
}

/** Response delays (`latencyMs`): real timers, each alive only while its request is open. */
export class Delays {
  /** Cancels each open delay; its request is then dropped. */
  private readonly pending = new Set<() => void>();

  /** Resolves true after `ms`, or false if the client left or `cancelAll()` ended the wait. */
  wait(ms: number, res: ServerResponse): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (elapsed: boolean) => {
        clearTimeout(timer);
        this.pending.delete(cancel);
        res.off("close", cancel);
        resolve(elapsed);
      };
      const cancel = () => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      this.pending.add(cancel);
      // A client that gives up must not leave its timer behind.
      res.once("close", cancel);
    });
  }

  cancelAll(): void {
    for (const cancel of [...this.pending]) cancel();
  }
}

/** The answer with only the first half of its JSON body, framed as complete: what a client reads
 * when an answer is cut off on its way. */
export function cutOff(answer: { status: number; body: unknown }): Answer {
  const text = JSON.stringify(answer.body);
  return { raw: text.slice(0, Math.floor(text.length / 2)), status: answer.status };
}
