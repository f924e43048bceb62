// The size of what Excel loads: each entry point of the production build (dist/, from `npm run
// build`), minified as built and gzipped (level 9), and the lazy chunks beside them. Read from
// the build on disk; a bench run without a build says so instead.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { formatCount } from "./stats";
import type { TargetResult } from "./targets";

const DIST = "dist";
/** Entry points: what a page loads before anything else (functions.js for the runtime). */
const ENTRIES = ["functions.js", "taskpane.js"];
const MAX_FUNCTIONS_BYTES = 50 * 1024;

export interface BundleFile {
  file: string;
  entry: boolean;
  bytes: number;
  gzipBytes: number;
}

export function measureBundle(): BundleFile[] | undefined {
  if (!existsSync(join(DIST, "functions.js"))) return undefined;
  return readdirSync(DIST)
    .filter((file) => file.endsWith(".js"))
    .map((file) => {
      const content = readFileSync(join(DIST, file));
      return {
        file,
        entry: ENTRIES.includes(file),
        bytes: content.length,
        gzipBytes: gzipSync(content, { level: 9 }).length,
      };
    })
    .sort((a, b) => Number(b.entry) - Number(a.entry) || b.bytes - a.bytes);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function bundleLines(files: BundleFile[] | undefined): string[] {
  if (!files) return ["No production build in dist/ (run `npm run build` first)."];
  return [
    "| File | Loaded | Minified | gzip |",
    "| --- | --- | ---: | ---: |",
    ...files.map(
      (file) =>
        `| ${file.file} | ${file.entry ? "entry point" : "lazy chunk"} | ${kb(file.bytes)} | ` +
        `${kb(file.gzipBytes)} |`
    ),
  ];
}

export function bundleTarget(files: BundleFile[] | undefined): TargetResult {
  const target = `functions.js (the runtime's entry) ≤ ${formatCount(MAX_FUNCTIONS_BYTES / 1024)} KB minified`;
  const functions = files?.find((file) => file.file === "functions.js");
  if (!functions) return { target, met: undefined, detail: "no production build in dist/" };
  return {
    target,
    met: functions.bytes <= MAX_FUNCTIONS_BYTES,
    detail: `${kb(functions.bytes)} minified, ${kb(functions.gzipBytes)} gzip`,
  };
}
