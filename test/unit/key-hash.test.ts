// The API key is hashed (SHA-256) once where the runtime reads it, and that hash is what the
// client stores with its jobs and names its rate channel by: not hashed again on the same path.

import { afterEach, beforeEach, expect, it, vi } from "vitest";
import {
  connect,
  fakeGeoapify,
  installTelemetryTarget,
  openRuntime,
  type Runtime,
} from "./support/runtime-harness";

installTelemetryTarget();
let runtime: Runtime | undefined;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await runtime?.geocoder.close();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

it("hashes the key once for a connection, jobs and rate channel included", async () => {
  const digest = vi.spyOn(globalThis.crypto.subtle, "digest");
  runtime = openRuntime(fakeGeoapify());
  await connect(runtime);
  expect(digest).toHaveBeenCalledTimes(1);
});
