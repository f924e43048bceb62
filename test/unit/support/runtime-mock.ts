// The runtime module as the functions tests need it: its `geocoder` is whatever the test puts in
// the returned holder (a GeocoderDouble, or a real Geocoder on the fake Geoapify). Call it before
// the functions are imported (dynamically), which is when the mock takes effect.

import { vi } from "vitest";

export function mockRuntimeGeocoder(): { geocoder: unknown } {
  const runtime = { geocoder: undefined as unknown };
  vi.doMock("../../../src/runtime/runtime", () => ({
    get geocoder() {
      return runtime.geocoder;
    },
  }));
  return runtime;
}
