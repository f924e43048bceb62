// `npm run validate`: offline checks of manifest.xml, and of dist/manifest.xml after a
// production build (every dev URL must have been rewritten). Exits non-zero on a problem.

import { existsSync, readFileSync } from "node:fs";
import { checkManifest } from "./manifest-check";

const targets: Array<[string, boolean]> = [["manifest.xml", false]];
if (
  existsSync("dist/manifest.xml") &&
  !readFileSync("dist/manifest.xml", "utf8").includes("https://localhost:3000/")
) {
  targets.push(["dist/manifest.xml", true]);
}

let failed = false;
for (const [path, production] of targets) {
  const problems = checkManifest(readFileSync(path, "utf8"), { production });
  process.stdout.write(`${path}: ${problems.length ? "problems found" : "valid"}\n`);
  for (const problem of problems) process.stdout.write(`  - ${problem}\n`);
  failed ||= problems.length > 0;
}
process.exit(failed ? 1 : 0);
