// A full garbage collection on demand, for heap measurements that mean something.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

function resolveCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") {
    return exposed;
  }
  // Without `node --expose-gc` (plain `npm run bench`), V8 still exposes gc to a context created
  // after the flag is set, so the benchmark needs no special command line.
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const collect = resolveCollector();

/** Two passes: the first can leave objects that only become garbage once finalizers ran. */
export function collectGarbage(): void {
  collect();
  collect();
}
