// What the emulator's unit tests share: an emulator on 127.0.0.1 that each test starts and that
// stops after it, requests in Geoapify's wire format, and a clock the test moves by hand.

import { afterEach, expect } from "vitest";
import { GeoapifyEmulator, type EmulatorOptions } from "../../../src/dev/emulator/emulator";
import type { ApiErrorBody, BatchResult } from "../../../src/geoapify/types";

export const KEY = "test-key";
export const SEARCH = "/v1/batch/geocode/search";
export const REVERSE = "/v1/batch/geocode/reverse";

/** A clock the test moves by hand; starts far from 0 so that "0" bugs show. */
export function manualClock() {
  let time = 1_700_000_000_000;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

export async function expectError(response: Response, status: number, message: RegExp | string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as ApiErrorBody;
  expect(Object.keys(body).sort()).toEqual(["error", "message", "statusCode"]);
  expect(body.statusCode).toBe(status);
  expect(body.error.length).toBeGreaterThan(0);
  if (typeof message === "string") expect(body.message).toBe(message);
  else expect(body.message).toMatch(message);
}

/** Geoapify's one 429 body, for a burst and a spent quota alike. */
export async function expectSpec429(response: Response) {
  expect(response.status).toBe(429);
  expect(await response.json()).toEqual({
    statusCode: 429,
    error: "Too Many Requests",
    message: "Quota exceeded",
  });
}

/** Registers the stop-after-each-test hook; call once at the top of a test file. */
export function emulatorOnLoopback() {
  let current: GeoapifyEmulator | undefined;
  let base = "";
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });

  const loop = {
    get emulator(): GeoapifyEmulator {
      if (!current) throw new Error("start() the emulator first");
      return current;
    },
    get base(): string {
      return base;
    },
    /** Starts an emulator whose jobs finish instantly unless the options say otherwise. */
    async start(options: EmulatorOptions = {}): Promise<GeoapifyEmulator> {
      await current?.close();
      current = new GeoapifyEmulator({ jobBaseMs: 0, jobPerAddressMs: 0, ...options });
      base = await current.listen();
      return current;
    },
    /** `path` may carry a query; the key is appended unless it is null. */
    url(path: string, key: string | null = KEY): string {
      if (key === null) return `${base}${path}`;
      return `${base}${path}${path.includes("?") ? "&" : "?"}apiKey=${encodeURIComponent(key)}`;
    },
    get(path: string, key: string | null = KEY): Promise<Response> {
      return fetch(loop.url(path, key));
    },
    post(path: string, body: unknown, key: string | null = KEY): Promise<Response> {
      return fetch(loop.url(path, key), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    },
    poll(id: string, path = SEARCH, key = KEY): Promise<Response> {
      return loop.get(`${path}?id=${id}`, key);
    },
    /** Submits addresses and returns the finished results (jobs finish at once by default). */
    async geocodeAll(addresses: string[], query = ""): Promise<BatchResult[]> {
      const response = await loop.post(`${SEARCH}${query}`, addresses);
      expect(response.status).toBe(200);
      return (await response.json()) as BatchResult[];
    },
  };
  return loop;
}
