// The size of what Excel loads: each entry point of the production build (dist/, from `npm run
// build`), minified as built and gzipped (level 9), the chunks the runtime page loads beside the
// functions entry (a first recalculation needs them: functions.js runs once they are in), and the
// pane's lazy chunks. Read from the build on disk; a bench run without a build says so instead.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { formatCount } from "./stats";
import type { TargetResult } from "./targets";

const DIST = "dist";
/** The runtime's entry point: it registers the custom functions. */
const FUNCTIONS = "functions.js";
/** The pane's entry point; its heavy parts are lazy chunks. */
const PANE = "taskpane.js";
/** The runtime page Excel opens (the shared runtime): its script tags are what loads first. */
const RUNTIME_PAGE = "taskpane.html";
const MAX_FUNCTIONS_BYTES = 50 * 1024;

/** How a file is loaded: the entries and the runtime's parallel chunks come with the page. */
export type Loading = "runtime entry" | "runtime, in parallel" | "pane entry" | "lazy chunk";

export interface BundleFile {
  file: string;
  loaded: Loading;
  bytes: number;
  gzipBytes: number;
}

const ORDER: Loading[] = ["runtime entry", "runtime, in parallel", "pane entry", "lazy chunk"];

export function measureBundle(): BundleFile[] | undefined {
  if (!existsSync(join(DIST, FUNCTIONS))) return undefined;
  const withPage = pageScripts();
  return readdirSync(DIST)
    .filter((file) => file.endsWith(".js"))
    .map((file) => {
      const content = readFileSync(join(DIST, file));
      return {
        file,
        loaded: loading(file, withPage),
        bytes: content.length,
        gzipBytes: gzipSync(content, { level: 9 }).length,
      };
    })
    .sort((a, b) => ORDER.indexOf(a.loaded) - ORDER.indexOf(b.loaded) || b.bytes - a.bytes);
}

/** The local scripts the runtime page's tags load (office.js comes from Office's CDN). */
function pageScripts(): string[] {
  if (!existsSync(join(DIST, RUNTIME_PAGE))) return [];
  const page = readFileSync(join(DIST, RUNTIME_PAGE), "utf8");
  return [...page.matchAll(/<script\b[^>]*\bsrc="?([^"\s>]+)/g)]
    .map((match) => match[1])
    .filter((src) => !/^[a-z]+:/i.test(src));
}

function loading(file: string, withPage: readonly string[]): Loading {
  if (file === FUNCTIONS) return "runtime entry";
  if (file === PANE) return "pane entry";
  return withPage.includes(file) ? "runtime, in parallel" : "lazy chunk";
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function bundleLines(files: BundleFile[] | undefined): string[] {
  if (!files) return ["No production build in dist/ (run `npm run build` first)."];
  return [
    "| File | Loaded | Minified | gzip |",
    "| --- | --- | ---: | ---: |",
    ...files.map(
      (file) => `| ${file.file} | ${file.loaded} | ${kb(file.bytes)} | ${kb(file.gzipBytes)} |`
    ),
  ];
}

/** The entry's budget; the detail adds what a first recalculation downloads in all. */
export function bundleTarget(files: BundleFile[] | undefined): TargetResult {
  const target = `${FUNCTIONS} (the runtime's entry) ≤ ${formatCount(MAX_FUNCTIONS_BYTES / 1024)} KB minified`;
  const functions = files?.find((file) => file.file === FUNCTIONS);
  if (!files || !functions)
    return { target, met: undefined, detail: "no production build in dist/" };
  const parallel = files.filter((file) => file.loaded === "runtime, in parallel");
  const sum = (key: "bytes" | "gzipBytes") =>
    [functions, ...parallel].reduce((total, file) => total + file[key], 0);
  const beside = parallel.map((file) => `${file.file} ${kb(file.bytes)} (${kb(file.gzipBytes)})`);
  return {
    target,
    met: functions.bytes <= MAX_FUNCTIONS_BYTES,
    detail:
      `${kb(functions.bytes)} minified, ${kb(functions.gzipBytes)} gzip` +
      (beside.length
        ? `; loaded in parallel and needed by the first recalculation: ${beside.join(", ")}; ` +
          `together ${kb(sum("bytes"))} minified, ${kb(sum("gzipBytes"))} gzip`
        : ""),
  };
}
