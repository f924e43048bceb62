// The walls of the README's layout section (from ARCHITECTURE.md), checked on the source for
// every kind of import: static, type-only, re-exports and dynamic import(). A change that crosses
// one fails here.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = "src";

function sourceFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Code without comments, so that a wall named in a comment is not an import. */
function codeOf(file: string): string {
  return readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:])\/\/.*$/gm, "$1");
}

/**
 * Every module specifier of a file: `import … from`, `import type … from`, `export … from`,
 * a bare `import "…"` and a dynamic `import("…")`.
 */
function specifiersOf(code: string): string[] {
  const patterns = [
    /\bfrom\s+["']([^"']+)["']/g,
    /\bimport\s+["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]));
}

/** The rooms of src/ a file imports ("../geoapify/client" → "geoapify"); packages as named. */
function importedRooms(file: string): string[] {
  return specifiersOf(codeOf(file)).map((specifier) => {
    if (!specifier.startsWith(".")) return `package:${specifier}`;
    const target = relative(SRC, join(file, "..", specifier));
    return target.startsWith("..") ? target : target.split("/")[0];
  });
}

function crossings(room: string, forbidden: readonly string[]): string[] {
  return sourceFiles(join(SRC, room)).flatMap((file) =>
    importedRooms(file)
      .filter((target) => forbidden.includes(target))
      .map((target) => `${file} → ${target}`)
  );
}

const OFFICE_GLOBALS = /\b(Office|OfficeRuntime|Excel|CustomFunctions)\./;
const DOM_GLOBALS = /\b(window|document)\./;
const IO_GLOBALS = /\b(fetch|indexedDB|localStorage|setTimeout|setInterval|Date\.now)\b/;
const PRODUCT_ROOMS = [
  "functions",
  "taskpane",
  "runtime",
  "settings",
  "cache",
  "batching",
  "geoapify",
  "places",
];

describe("architecture walls", () => {
  it.each([
    ["functions", ["geoapify", "cache", "batching", "gateway"]],
    ["batching", [...PRODUCT_ROOMS.filter((room) => room !== "batching"), "dev", "gateway"]],
    [
      "geoapify",
      ["functions", "taskpane", "runtime", "settings", "cache", "batching", "dev", "gateway"],
    ],
    ["cache", ["functions", "taskpane", "runtime", "geoapify", "batching", "dev", "gateway"]],
    ["places", [...PRODUCT_ROOMS.filter((room) => room !== "places"), "dev", "gateway"]],
    ["runtime", ["functions", "taskpane", "gateway", "dev"]],
    ["taskpane", ["gateway", "dev"]],
    ["gateway", ["functions", "taskpane", "runtime", "settings", "cache", "batching", "dev"]],
  ])("src/%s imports none of %j", (room, forbidden) => {
    expect(crossings(room, forbidden)).toEqual([]);
  });

  it.each(["batching", "geoapify", "cache", "places", "gateway"])(
    "src/%s uses no Office global (nor the DOM, but for the cache's IndexedDB)",
    (room) => {
      for (const file of sourceFiles(join(SRC, room))) {
        const code = codeOf(file);
        expect(code, file).not.toMatch(OFFICE_GLOBALS);
        if (room !== "cache") expect(code, file).not.toMatch(DOM_GLOBALS);
      }
    }
  );

  it("src/places is pure: no network, storage or clock of its own", () => {
    for (const file of sourceFiles(join(SRC, "places"))) {
      expect(codeOf(file), file).not.toMatch(IO_GLOBALS);
    }
  });

  it("product code never imports the dev tools or tests", () => {
    const product = sourceFiles(SRC).filter((file) => !file.startsWith(join(SRC, "dev")));
    expect(product.length).toBeGreaterThan(5);
    for (const file of product) {
      const rooms = importedRooms(file);
      expect(
        rooms.filter((target) => target === "dev" || target.startsWith("..")),
        file
      ).toEqual([]);
    }
  });

  it("only the gateway's store module speaks Redis", () => {
    const speakers = sourceFiles(SRC).filter((file) =>
      importedRooms(file).some((target) => /^package:(ioredis|redis)(\/|$)/.test(target))
    );
    expect(speakers.every((file) => /^src\/gateway\/store(\.ts|\/)/.test(file))).toBe(true);
  });

  it("sees static, type-only, re-exported and dynamic imports alike", () => {
    const code = [
      'import { a } from "../geoapify/a";',
      'import type { B } from "../cache/b";',
      'export { c } from "../batching/c";',
      'import "../gateway/d";',
      'const e = await import("../dev/e");',
      "const f = await import( '../taskpane/f' );",
    ].join("\n");
    expect(specifiersOf(code)).toEqual([
      "../geoapify/a",
      "../cache/b",
      "../batching/c",
      "../gateway/d",
      "../dev/e",
      "../taskpane/f",
    ]);
  });
});
