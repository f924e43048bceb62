// What every end-to-end test needs: a real browser (never a downloaded one), a static server for
// the built add-in and the workbench on 127.0.0.1, and the Geoapify emulator on a port of its own
// so that the add-in's requests are cross-origin, as they are to the real API.

import { existsSync } from "node:fs";
import { mkdir, readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { GeoapifyEmulator, type EmulatorOptions } from "../../src/dev/emulator/emulator";
import { SETTING_KEYS } from "../../src/settings/settings";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DIST = path.join(ROOT, "dist");
export const DIST_WORKBENCH = path.join(ROOT, "dist-workbench");
export const OFFICE_JS = path.join(ROOT, "node_modules/@microsoft/office-js/dist");
export const FIXTURES = path.join(ROOT, "test/e2e/fixtures");
export const RESULTS = path.join(ROOT, "test-results");

/** The key the tests save; the emulator accepts any non-empty key. */
export const TEST_API_KEY = "e2e-test-key";

/** Linux installs of Chromium; elsewhere an installed Chrome or Edge is used. */
const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

const BROWSER_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Only loopback: any other host name fails to resolve, so nothing can leave the machine.
  // Routed requests (page.route) are answered before resolution and still work.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

/** Chromium where Debian or Ubuntu put it, else Chrome, else Edge; fails saying what to install. */
export async function launchBrowser(): Promise<Browser> {
  const options = { headless: true, args: BROWSER_ARGS };
  const executablePath = CHROMIUM_PATHS.find((candidate) => existsSync(candidate));
  if (executablePath) return chromium.launch({ ...options, executablePath });
  const failures: string[] = [];
  for (const channel of ["chrome", "msedge"]) {
    try {
      return await chromium.launch({ ...options, channel });
    } catch (error) {
      failures.push(`${channel}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(
    "The end-to-end tests need Chromium, Google Chrome or Microsoft Edge, and none was found " +
      `(looked for ${CHROMIUM_PATHS.join(", ")}; ${failures.join("; ")}). ` +
      "Install one: `sudo apt-get install chromium` on Debian or Ubuntu, or Chrome or Edge on " +
      "Windows and macOS. The tests never download a browser."
  );
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".txt": "text/plain; charset=utf-8",
};

export interface StaticServer {
  /** Such as http://127.0.0.1:41234. */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves /office-js/* from the office-js package (as the dev server does) and everything else
 * from the first of `roots` that has the file.
 */
export async function startStaticServer(roots: string[]): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
      const candidates: Array<[root: string, file: string]> = pathname.startsWith("/office-js/")
        ? [[OFFICE_JS, path.join(OFFICE_JS, pathname.slice("/office-js".length))]]
        : roots.map((root) => [root, path.join(root, pathname)]);
      for (const [root, file] of candidates) {
        // path.join has resolved any "..": a file outside its root is never served.
        if (!file.startsWith(root + path.sep)) continue;
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) continue;
        response.writeHead(200, {
          "Content-Type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
          "Cache-Control": "no-store",
        });
        response.end(await readFile(file));
        return;
      }
      response.writeHead(404, { "Content-Type": "text/plain" });
      response.end(`Not found: ${pathname}`);
    })();
  });
  return listenOnLoopback(server);
}

/** Starts `server` on a free loopback port; close() also drops the connections still open. */
export async function listenOnLoopback(server: Server): Promise<StaticServer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Fails early, and usefully, when the bundles the tests load were never built. */
export function requireBuild(): void {
  const missing = [
    path.join(DIST, "functions.js"),
    path.join(DIST, "functions.json"),
    path.join(DIST, "taskpane.html"),
    path.join(DIST_WORKBENCH, "workbench.html"),
    path.join(DIST_WORKBENCH, "workbench.js"),
  ].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(`Run \`npm run build\` first: missing ${missing.join(", ")}`);
  }
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions and console errors in the page, for tests to assert there are none. */
  errors: string[];
}

export interface OpenOptions {
  /** localStorage entries set before any script of the page runs. */
  storage?: Record<string, string>;
  /** Runs before the page is opened, to add routes for instance. */
  prepare?: (context: BrowserContext) => Promise<unknown>;
}

export interface E2EOptions {
  emulator?: EmulatorOptions;
  addinRoot?: string;
  extraRoots?: string[];
}

/** A browser and the servers a test file needs; close() in afterAll. */
export class E2E {
  private readonly contexts = new Set<BrowserContext>();

  private constructor(
    readonly browser: Browser,
    readonly server: StaticServer,
    readonly emulator: GeoapifyEmulator,
    readonly emulatorUrl: string
  ) {}

  /**
   * @param addinRoot where functions.js, functions.json and manifest.xml come from: the build
   *   (default) or a fixture add-in.
   */
  static async start(options: E2EOptions = {}): Promise<E2E> {
    // Every page the tests open comes from the build, the workbench at least.
    requireBuild();
    const addinRoot = options.addinRoot ?? DIST;
    const roots = [DIST_WORKBENCH, addinRoot, ...(options.extraRoots ?? [])];
    const emulator = new GeoapifyEmulator(options.emulator);
    const opened: { server?: StaticServer; emulatorUrl?: string } = {};
    try {
      opened.server = await startStaticServer(roots);
      opened.emulatorUrl = await emulator.listen(0, "127.0.0.1");
      const browser = await launchBrowser();
      return new E2E(browser, opened.server, emulator, opened.emulatorUrl);
    } catch (error) {
      await opened.server?.close();
      await emulator.close();
      throw error;
    }
  }

  /** Settings that point the add-in at this emulator with a key. */
  get settings(): Record<string, string> {
    return { [SETTING_KEYS.apiKey]: TEST_API_KEY, [SETTING_KEYS.baseUrl]: this.emulatorUrl };
  }

  /** A page in a fresh context: its own localStorage and IndexedDB. */
  async open(pathname: string, options: OpenOptions = {}): Promise<OpenedPage> {
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 900 } });
    this.contexts.add(context);
    context.setDefaultTimeout(30_000);
    if (options.storage) {
      await context.addInitScript((entries: Record<string, string>) => {
        // Only the page itself: office.js adds a cross-origin telemetry frame whose storage the
        // browser denies, and which has no business with the add-in's settings.
        if (window !== window.top) return;
        for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
      }, options.storage);
    }
    await options.prepare?.(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      // Failed requests are the tests' business (they count them at the emulator), and their
      // console line carries no URL; anything else logged as an error is a finding.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
        errors.push(message.text());
      }
    });
    await page.goto(`${this.server.origin}${pathname}`);
    return { page, context, errors };
  }

  /**
   * The workbench with an empty sheet (or the sample's ten addresses), ready for formulas;
   * `theme` is the Office theme it stands in for (else the system's).
   */
  async openWorkbench(
    options: OpenOptions & { sample?: boolean; theme?: "light" | "dark" } = {}
  ): Promise<OpenedPage> {
    const query = new URLSearchParams();
    if (!options.sample) query.set("sheet", "empty");
    if (options.theme) query.set("theme", options.theme);
    const search = query.size > 0 ? `?${query}` : "";
    const opened = await this.open(`/workbench.html${search}`, options);
    await opened.page.evaluate(() => window.__workbench.ready);
    return opened;
  }

  async closeContexts(): Promise<void> {
    const contexts = [...this.contexts];
    this.contexts.clear();
    await Promise.all(contexts.map((context) => context.close()));
  }

  async close(): Promise<void> {
    await this.closeContexts();
    await this.browser.close();
    await this.server.close();
    await this.emulator.close();
  }
}

/** Saves a screenshot under test-results/ for people to look at; tests never compare them. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS, `${name}.png`) });
}

/** Waits in the page until no cell is #BUSY!, failing after `timeoutMs` with the count left. */
export async function waitForIdle(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.evaluate((timeout) => window.__workbench.waitForIdle(timeout), timeoutMs);
}

/**
 * The harness of one test file: started before its first test, a fresh emulator state and no
 * leftover browser context for each test, everything closed after the last. The E2E it returns
 * forwards to the harness once it has started.
 */
export function useE2E(options: E2EOptions = {}): E2E {
  let started: E2E | undefined;
  beforeAll(async () => {
    started = await E2E.start(options);
  });
  beforeEach(() => started?.emulator.reset());
  afterEach(() => started?.closeContexts());
  afterAll(() => started?.close());
  return new Proxy({} as E2E, {
    get(_, property) {
      if (!started) throw new Error("The e2e harness is used before it started");
      const value: unknown = Reflect.get(started, property);
      return typeof value === "function" ? value.bind(started) : value;
    },
  });
}

/** Cell values of a workbench range, such as "B2:C11". */
export function readCells(page: Page, range: string) {
  return page.evaluate((cells) => window.__workbench.read(cells), range);
}

export interface TypeSheetOptions {
  /** A range cleared in the task that makes the calls, before anything they scheduled (the
   * batching window among it): as when Excel delivers cancellations together with the calls. */
  clearInSameTask?: string;
  /** Wait until no cell is #BUSY!, at most this long. Default: return once typed. */
  idleTimeoutMs?: number;
}

/**
 * Types the addresses into A from A2 down and =GEO.LOCATION beside each, as one edit. Resolves
 * the time it took in the page, in ms (until idle when `idleTimeoutMs` is given).
 */
export function typeSheet(
  page: Page,
  addresses: string[],
  options: TypeSheetOptions = {}
): Promise<number> {
  return page.evaluate(
    async ({ column, clearInSameTask, idleTimeoutMs }) => {
      const wb = window.__workbench;
      const started = performance.now();
      wb.setCells(
        "A2",
        column.map((address) => [address])
      );
      if (clearInSameTask) wb.afterNextTask(() => wb.clear(clearInSameTask));
      wb.setCells(
        "B2",
        column.map((_, index) => [`=GEO.LOCATION(A${index + 2})`])
      );
      if (idleTimeoutMs !== undefined) await wb.waitForIdle(idleTimeoutMs);
      return performance.now() - started;
    },
    { column: addresses, ...options }
  );
}

/** The runtime's IndexedDB cache (src/cache/geocode-cache.ts). */
const CACHE_DB = "geobatch";
const CACHE_STORE = "places";
/** How long the cache may take to write its entries after the cells settle. */
const FLUSH_TIMEOUT_MS = 30_000;

/** What the runtime's cache has written to IndexedDB. */
export interface PersistedFigures {
  entries: number;
  /** Mean length of the keys: the emulator's URL, a space and the lower-cased address. */
  averageKeyChars: number;
}

/**
 * Reads the runtime's database. Call it only once the page has loaded functions.js: the
 * runtime's open request then precedes this one, so this never creates the database (which would
 * leave the runtime without its object store).
 */
export async function persisted(page: Page, withKeys = false): Promise<PersistedFigures> {
  return page.evaluate(
    ({ dbName, storeName, readKeys }) =>
      new Promise<PersistedFigures>((resolve, reject) => {
        const request = indexedDB.open(dbName);
        request.onerror = () => reject(request.error ?? new Error(`Cannot open ${dbName}`));
        request.onsuccess = () => {
          const db = request.result;
          const transaction = db.transaction(storeName, "readonly");
          const store = transaction.objectStore(storeName);
          const count = store.count();
          const keys = readKeys ? store.getAllKeys() : undefined;
          transaction.oncomplete = () => {
            db.close();
            const chars = (keys?.result ?? []).reduce<number>(
              (sum, key) => sum + String(key).length,
              0
            );
            resolve({
              entries: count.result,
              averageKeyChars: count.result ? Math.round(chars / count.result) : 0,
            });
          };
          transaction.onabort = () => {
            db.close();
            reject(transaction.error ?? new Error(`Cannot read ${storeName}`));
          };
        };
      }),
    { dbName: CACHE_DB, storeName: CACHE_STORE, readKeys: withKeys }
  );
}

/** Waits until the cache's flush has put exactly `entries` records on disk. */
export async function waitForPersisted(page: Page, entries: number): Promise<void> {
  await expect
    .poll(async () => (await persisted(page)).entries, {
      timeout: FLUSH_TIMEOUT_MS,
      interval: 100,
    })
    .toBe(entries);
}
