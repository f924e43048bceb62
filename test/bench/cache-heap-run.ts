// `npm run bench:cache`: only the full bench's cache measurement (100,000 whole places in a
// memory-only GeocodeCache, see cache-heap.ts) and its target, in seconds rather than minutes,
// for work on the cache's encoding. Exit code 3 when the target is missed, as in the full bench.

import { measureCacheHeap } from "./cache-heap";
import { CACHE_HEAP_ENTRIES } from "./cache-heap-size";
import { cacheTarget } from "./targets";

measureCacheHeap(CACHE_HEAP_ENTRIES).then(
  (cacheHeap) => {
    const result = cacheTarget(cacheHeap);
    process.stdout.write(`${result.met ? "PASS" : "MISS"} ${result.target}: ${result.detail}\n`);
    process.exitCode = result.met ? 0 : 3;
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  }
);
