// Helpers the limits, reverse and place tests share on top of harness.ts: the runtime's telemetry
// recorded in the page, the emulator's own answers as the reference for every cell, and a
// development build of the add-in for the one test that needs a dev-only hook; a team gateway
// replica for the tests that go through one.

import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { geocode, reverseGeocode, type LookupOptions } from "../../src/dev/emulator/gazetteer";
import type {
  GeoapifyEmulator,
  RecordedRequest,
  RequestKind,
} from "../../src/dev/emulator/emulator";
import type { TelemetryEvent } from "../../src/runtime/telemetry";
import { type Replica, startReplica, TestRedis } from "../gateway/support";
import { type E2E, ROOT } from "./harness";

declare global {
  interface Window {
    /** Every telemetry event of the page, in order (recordTelemetry). */
    __telemetry?: TelemetryEvent[];
  }
}

/** The grid's cell element for a row and column of the visible window (0-based). */
export function gridCell(page: Page, row: number, column: number) {
  return page.locator(".grid-rows .grid-row").nth(row).locator(".cell").nth(column);
}

/**
 * Records the runtime's telemetry (src/runtime/telemetry.ts: DOM events on the page) into
 * `window.__telemetry` from the first script on, reloads included. Pass as `prepare`.
 */
export async function recordTelemetry(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    if (window !== window.top) return;
    const events: TelemetryEvent[] = [];
    window.__telemetry = events;
    addEventListener("geobatch:telemetry", (event) => {
      events.push((event as CustomEvent<TelemetryEvent>).detail);
    });
  });
}

/** The telemetry events of one type recorded so far. */
export async function telemetry<T extends TelemetryEvent["type"]>(
  page: Page,
  type: T
): Promise<Array<Extract<TelemetryEvent, { type: T }>>> {
  const events = await page.evaluate(
    (wanted) => (window.__telemetry ?? []).filter((event) => event.type === wanted),
    type as string
  );
  return events as Array<Extract<TelemetryEvent, { type: T }>>;
}

/** Puts `column` in A from A2 down and `formula(row)` beside it in B, as one edit. */
export async function typeColumn(
  page: Page,
  column: string[],
  formula: (row: number) => string
): Promise<void> {
  await page.evaluate(
    ({ inputs, formulas }) => {
      window.__workbench.setCells("A2", inputs);
      window.__workbench.setCells("B2", formulas);
    },
    {
      inputs: column.map((input) => [input]),
      formulas: column.map((_, index) => [formula(index + 2)]),
    }
  );
}

/**
 * Rows of [lat, lon] cells that differ from the emulator's own geocode() of their address,
 * described; an empty list means every cell is right.
 */
export function forwardMismatches(
  cells: unknown[][],
  addresses: readonly string[],
  options: LookupOptions = {}
): string[] {
  return addresses.flatMap((address, index) => {
    const { lat, lon } = geocode(address, options);
    const [gotLat, gotLon] = cells[index] ?? [];
    return gotLat === lat && gotLon === lon
      ? []
      : [`${address}: ${JSON.stringify(cells[index])}, expected [${lat}, ${lon}]`];
  });
}

/** Requests of these kinds the emulator answered with this status. */
export function answered(
  emulator: GeoapifyEmulator,
  kinds: readonly RequestKind[],
  status?: number
): RecordedRequest[] {
  return emulator.requests.filter(
    (request) => kinds.includes(request.kind) && (status === undefined || request.status === status)
  );
}

/** The formatted address the emulator gives for a point, or undefined at sea. */
export function emulatorAddress(lat: number, lon: number): string | undefined {
  const { formatted } = reverseGeocode(lon, lat);
  return typeof formatted === "string" ? formatted : undefined;
}

/** How long a development build of the add-in may take on a small, busy machine. */
const DEV_BUILD_TIMEOUT_MS = 150_000;

/** A fresh temporary directory for buildDevAddin, named at once so a harness can serve it. */
export function devAddinDirectory(): string {
  return mkdtempSync(path.join(tmpdir(), "geobatch-dev-addin-"));
}

/**
 * Writes a development build of the add-in (webpack --mode development, config "addin") into
 * `root`: the build `npm start` serves, with its dev-only hooks. The production build in dist/
 * compiles them away, so tests of those hooks need this one.
 */
export async function buildDevAddin(root: string): Promise<void> {
  const webpack = path.join(ROOT, "node_modules/webpack/bin/webpack.js");
  const args = [webpack, "--mode", "development", "--config-name", "addin", "--output-path", root];
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, timeout: DEV_BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) reject(new Error(`The dev build failed: ${error.message}\n${stdout}`));
        else resolve();
      }
    );
  });
}

export function removeDirectory(root: string): Promise<void> {
  return rm(root, { recursive: true, force: true });
}

/**
 * A gateway replica for one test file: on a redis-server of its own, with the file's emulator as
 * its upstream and the workbench's origin allowed; started before the tests, stopped after.
 */
export function useGatewayReplica(e2e: E2E) {
  const redis = new TestRedis();
  let replica: Replica | undefined;
  beforeAll(async () => {
    await redis.start();
    replica = await startReplica(redis.url, e2e.emulatorUrl, {
      GATEWAY_ALLOWED_ORIGINS: e2e.server.origin,
    });
  });
  afterAll(async () => {
    await replica?.close();
    await redis.stop();
  });
  return {
    redis,
    get replica(): Replica {
      if (!replica) throw new Error("the gateway replica starts in beforeAll");
      return replica;
    },
  };
}
