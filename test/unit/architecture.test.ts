// The walls of ARCHITECTURE.md, checked on the source: a change that crosses one fails here.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = "src";

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Folders of src/ that a file imports, by relative specifier ("../geoapify/client" → geoapify). */
function importedRooms(file: string): string[] {
  const specifiers = [...readFileSync(file, "utf8").matchAll(/from\s+"(\.[^"]+)"/g)].map(
    (m) => m[1]
  );
  return specifiers.map((specifier) => {
    const target = relative(SRC, join(file, "..", specifier));
    return target.startsWith("..") ? target : target.split("/")[0];
  });
}

const OFFICE_GLOBALS = /\b(Office|OfficeRuntime|Excel|CustomFunctions)\./;
const DOM_GLOBALS = /\b(window|document)\./;
const IO_GLOBALS = /\b(fetch|indexedDB|localStorage|setTimeout|setInterval|Date\.now)\b/;

describe("architecture walls", () => {
  it.each([
    ["batching", ["geoapify", "functions", "taskpane", "runtime", "settings", "cache", "dev"]],
    ["geoapify", ["functions", "taskpane", "runtime", "settings", "cache", "batching", "dev"]],
    ["cache", ["functions", "taskpane", "runtime", "geoapify", "batching", "dev"]],
    ["gateway", ["functions", "taskpane", "runtime", "settings", "cache", "batching", "dev"]],
    [
      "places",
      ["functions", "taskpane", "runtime", "geoapify", "batching", "cache", "settings", "dev"],
    ],
  ])("src/%s imports none of %j and no Office or DOM global", (room, forbidden) => {
    for (const file of sourceFiles(join(SRC, room))) {
      const rooms = importedRooms(file);
      expect(
        rooms.filter((target) => forbidden.includes(target)),
        file
      ).toEqual([]);
      const code = readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      expect(code, file).not.toMatch(OFFICE_GLOBALS);
      if (room !== "cache") expect(code, file).not.toMatch(DOM_GLOBALS);
      // The domain is pure: no network, storage or clock of its own.
      if (room === "places") expect(code, file).not.toMatch(IO_GLOBALS);
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

  it("only the gateway's store module speaks Redis, and nothing else imports the gateway", () => {
    for (const file of sourceFiles(SRC)) {
      const code = readFileSync(file, "utf8");
      if (!file.startsWith(join(SRC, "gateway", "store"))) {
        expect(code, file).not.toMatch(/from\s+"ioredis"/);
      }
      if (!file.startsWith(join(SRC, "gateway"))) {
        expect(importedRooms(file), file).not.toContain("gateway");
      }
    }
  });
});
