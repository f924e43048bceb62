import { defineConfig } from "vitest/config";

// Three suites: fast unit tests (Node, fake timers, the emulator on loopback), the team gateway's
// tests (a redis-server of their own, replicas and the emulator on loopback) and end-to-end tests
// that drive the production bundle in Debian's Chromium. `npm test` runs all three; a fourth
// project only makes the README's screenshots.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        test: {
          // The team gateway on a redis-server of its own and the emulator, over loopback.
          name: "gateway",
          include: ["test/gateway/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 30_000,
          // Each file starts its own Redis and replicas; the tests count upstream requests.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One browser at a time: the machine has two cores and the tests count requests.
          fileParallelism: false,
        },
      },
      {
        // The README's pictures, made again by `npm run screenshots` (not part of `npm test`).
        test: {
          name: "screenshots",
          include: ["test/screenshots/**/*.shots.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
