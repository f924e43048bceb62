// The pane must not slow the custom functions down: in Excel's shared runtime they live in one
// page, and the functions register only once functions.js has run. This measures, in the
// workbench, the time from navigation to functions.js's last CustomFunctions.associate call and
// the bytes functions.js weighs (alone, and with the chunks the runtime page loads beside it),
// checks that the pane's heavy chunks (Fluent, the map) are requested only after that, and
// writes the figures to test-results/startup.json for the README.
//
// The same build is also loaded with taskpane.js refused, which isolates what the pane costs the
// functions. GEOBATCH_BASELINE=<dir> measures another build the same way as well (a checkout of an older
// commit, built: <dir>/dist and <dir>/dist-workbench), so before and after come from one run.

import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DIST,
  DIST_WORKBENCH,
  RESULTS,
  launchBrowser,
  requireBuild,
  startStaticServer,
  type StaticServer,
} from "./harness";
import { recordRegistration } from "./pane-support";
import type { Browser } from "playwright-core";

/** Page loads per build (GEOBATCH_STARTUP_LOADS): the median is reported, machines are noisy. */
const LOADS = Number(process.env.GEOBATCH_STARTUP_LOADS) || 7;

interface Figures {
  /** Median ms from navigation start to the last associate call. */
  registrationMs: number;
  registrationRunsMs: number[];
  functionsJsBytes: number;
  functionsJsGzipBytes: number;
  /** functions.js and the chunks the runtime page loads beside it (taskpane.js aside). */
  runtimeFiles: string[];
  runtimeBytes: number;
  runtimeGzipBytes: number;
}

let browser: Browser;
const servers: StaticServer[] = [];

beforeAll(async () => {
  requireBuild();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => server.close()));
});

interface Build {
  dist: string;
  server: StaticServer;
  /** Whether its workbench mounts the pane (builds before the pane did not). */
  pane: boolean;
  /** Loads it with taskpane.js refused: the same build, the pane's cost taken out. */
  blockPane?: boolean;
  runs: number[];
  paneAfter: boolean[];
}

async function serve(dist: string, workbench: string, pane: boolean): Promise<Build> {
  const server = await startStaticServer([workbench, dist]);
  servers.push(server);
  return { dist, server, pane, runs: [], paneAfter: [] };
}

function withoutPane(build: Build): Build {
  return { ...build, pane: false, blockPane: true, runs: [], paneAfter: [] };
}

/** One page load: when the functions registered, and whether the pane's chunks came after. */
async function load(build: Build): Promise<void> {
  const context = await browser.newContext();
  await context.addInitScript(recordRegistration);
  if (build.blockPane) await context.route("**/taskpane.js", (route) => route.abort());
  const page = await context.newPage();
  await page.goto(`${build.server.origin}/workbench.html?sheet=empty`);
  await page.evaluate(() => window.__workbench.ready);
  if (build.pane) await page.locator("#geobatch-pane canvas.map-canvas").waitFor();
  const { associated, paneChunks } = await page.evaluate(() => {
    const marks = (window as unknown as { __associateTimes: number[] }).__associateTimes;
    const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
    return {
      associated: marks.length ? marks[marks.length - 1] : Number.NaN,
      paneChunks: resources
        .filter((entry) => /\/(pane-ui|pane-map|pane-chart|\d+)\.js$/.test(entry.name))
        .map((entry) => entry.startTime),
    };
  });
  build.runs.push(associated);
  if (build.pane) {
    // The pane UI, the map, the chart and the vendor chunks (Fluent, d3): five at least.
    build.paneAfter.push(paneChunks.length >= 5 && paneChunks.every((start) => start > associated));
  }
  await context.close();
}

async function figures(build: Build): Promise<Figures> {
  const functionsJs = await readFile(path.join(build.dist, "functions.js"));
  const page = await readFile(path.join(build.dist, "taskpane.html"), "utf8");
  const runtimeFiles = [...page.matchAll(/<script\b[^>]*\bsrc="?([^"\s>]+)/g)]
    .map((match) => match[1])
    .filter((src) => !/^https?:/.test(src) && src !== "taskpane.js");
  const runtime = await Promise.all(
    runtimeFiles.map((file) => readFile(path.join(build.dist, file)))
  );
  const sorted = [...build.runs].sort((a, b) => a - b);
  return {
    registrationMs: Math.round(sorted[Math.floor(sorted.length / 2)]),
    registrationRunsMs: build.runs.map(Math.round),
    functionsJsBytes: functionsJs.length,
    functionsJsGzipBytes: gzipSync(functionsJs, { level: 9 }).length,
    runtimeFiles,
    runtimeBytes: runtime.reduce((total, file) => total + file.length, 0),
    runtimeGzipBytes: runtime.reduce(
      (total, file) => total + gzipSync(file, { level: 9 }).length,
      0
    ),
  };
}

it("registers the functions before any of the pane's heavy chunks is requested", async () => {
  const baselineDir = process.env.GEOBATCH_BASELINE;
  const after = await serve(DIST, DIST_WORKBENCH, true);
  const before = baselineDir
    ? await serve(path.join(baselineDir, "dist"), path.join(baselineDir, "dist-workbench"), false)
    : undefined;
  // Interleaved, so that the machine's moods fall on both builds alike.
  const noPane = withoutPane(after);
  for (let run = 0; run < LOADS; run++) {
    await load(after);
    await load(noPane);
    if (before) await load(before);
  }
  expect(after.runs.every(Number.isFinite)).toBe(true);
  expect(after.paneAfter).toEqual(Array(LOADS).fill(true));
  // functions.js carries none of the pane: no Fluent, no map, no chart.
  // Nor does the Geoapify client, its chunk loaded beside it.
  for (const runtimeFile of ["functions.js", "geoapify.js"]) {
    const runtime = await readFile(path.join(DIST, runtimeFile), "utf8");
    expect(runtime).not.toMatch(/fluent-button|world-atlas|geoNaturalEarth|geobatch-pane/);
  }

  await mkdir(RESULTS, { recursive: true });
  const report = {
    after: await figures(after),
    afterWithoutPane: await figures(noPane),
    before: before && (await figures(before)),
    baseline: baselineDir,
  };
  await writeFile(path.join(RESULTS, "startup.json"), JSON.stringify(report, null, 2));
});
