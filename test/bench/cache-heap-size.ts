/** How many places the bench's cache measurement stores (full bench and `npm run bench:cache`). */
export const CACHE_HEAP_ENTRIES = 100_000;
