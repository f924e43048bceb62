// What the pane's browser tests share: the workbench opened with its pane on screen, the
// emulator's control API spoken over HTTP (as the workbench's own controls speak it), a record of
// every status line the pane showed, and a same-origin proxy to the emulator for the workbench's
// emulator controls (the control API sends no CORS headers, by design).

import { createServer, request as httpRequest, type Server } from "node:http";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { EmulatorModes, EmulatorStats } from "../../src/dev/emulator/types";
import {
  listenOnLoopback,
  type E2E,
  type OpenOptions,
  type OpenedPage,
  type StaticServer,
} from "./harness";

/** Mode changes the control API takes, its relative outage form included. */
export type ModeChange = Partial<EmulatorModes> & {
  outageSeconds?: number;
  outageAfterSeconds?: number;
};

/** POST /__emulator/modes: fails the test when the emulator refuses the change. */
export async function setModes(e2e: E2E, change: ModeChange): Promise<EmulatorModes> {
  const response = await fetch(`${e2e.emulatorUrl}/__emulator/modes`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(change),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as EmulatorModes;
}

/** GET /__emulator/stats. */
export async function emulatorStats(e2e: E2E): Promise<EmulatorStats> {
  const response = await fetch(`${e2e.emulatorUrl}/__emulator/stats`);
  return (await response.json()) as EmulatorStats;
}

/**
 * The workbench (empty sheet unless `sample`) with the pane mounted beside the grid, and every
 * status line the pane shows recorded in order (statusLog).
 */
export async function openPane(
  e2e: E2E,
  options: OpenOptions & { sample?: boolean; theme?: "light" | "dark" } = {}
): Promise<OpenedPage> {
  const opened = await e2e.openWorkbench({
    ...options,
    prepare: async (context) => {
      await context.addInitScript(() => {
        const log: string[] = [];
        Object.assign(window, { __statusLog: log });
        new MutationObserver(() => {
          const text = document.querySelector("#geobatch-pane #status-text")?.textContent ?? "";
          if (text && log[log.length - 1] !== text) log.push(text);
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      await options.prepare?.(context);
    },
  });
  await opened.page.locator("#geobatch-pane fluent-button#save-key").waitFor();
  return opened;
}

/** Every status line the pane has shown since the page opened, without repeats. */
export function statusLog(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __statusLog: string[] }).__statusLog);
}

/** The pane's current status line. */
export function statusText(page: Page): Promise<string | null> {
  return page.locator("#geobatch-pane #status-text").textContent();
}

/** Types `formulas` into column B from B2 down and their addresses into A, as one edit. */
export async function typeRows(page: Page, addresses: string[], formula = "GEO.LOCATION") {
  await page.evaluate(
    ({ column, fn }) => {
      const wb = window.__workbench;
      wb.setCells(
        "A2",
        column.map((address) => [address])
      );
      wb.setCells(
        "B2",
        column.map((_, index) => [`=${fn}(A${index + 2})`])
      );
    },
    { column: addresses, fn: formula }
  );
}

/** The text of one workbench cell as the grid shows it ("48.85", "#VALUE!"), with its message. */
export async function cellText(page: Page, address: string): Promise<string> {
  const [[cell]] = await page.evaluate((ref) => window.__workbench.read(ref), address);
  return JSON.stringify(cell);
}

/**
 * The build served again on an origin of its own that also forwards /emulator/* to the emulator,
 * as the dev server does: the workbench's emulator controls then speak to the real control API
 * from the page's own origin.
 */
export async function startEmulatorProxy(e2e: E2E): Promise<StaticServer> {
  const target = new URL(e2e.emulatorUrl);
  const server: Server = createServer((request, response) => {
    const url = request.url ?? "/";
    if (url.startsWith("/emulator/")) {
      const forwarded = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: url.slice("/emulator".length),
          headers: { ...request.headers, host: target.host },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        }
      );
      forwarded.on("error", () => response.writeHead(502).end());
      request.pipe(forwarded);
      return;
    }
    // Everything else from the harness's own static server.
    const page = httpRequest(`${e2e.server.origin}${url}`, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    page.on("error", () => response.writeHead(502).end());
    page.end();
  });
  return listenOnLoopback(server);
}

/**
 * An init script that records, in performance.now() time, every CustomFunctions.associate call:
 * the last one is the moment the functions are registered. The workbench's host (old builds and
 * new) defines `associate` with Object.defineProperty, locked; the script wraps what is defined
 * there, so it measures any build without a mark of its own.
 */
export function recordRegistration(): void {
  const marks: number[] = [];
  Object.assign(window, { __associateTimes: marks });
  const wrapped = new WeakMap<(...args: unknown[]) => unknown, (...args: unknown[]) => unknown>();
  const wrap = (fn: unknown) => {
    if (typeof fn !== "function") return fn;
    const original = fn as (...args: unknown[]) => unknown;
    if (!wrapped.has(original)) {
      wrapped.set(original, function (this: unknown, ...args: unknown[]) {
        marks.push(performance.now());
        return original.apply(this, args);
      });
    }
    return wrapped.get(original);
  };
  const define = Object.defineProperty;
  Object.defineProperty = function <T>(
    target: T,
    name: PropertyKey,
    descriptor: PropertyDescriptor
  ) {
    if (name === "associate") {
      const { get, value } = descriptor;
      descriptor = get
        ? { ...descriptor, get: () => wrap(get()) }
        : { ...descriptor, value: wrap(value) };
    }
    return define(target, name, descriptor) as T;
  };
}
