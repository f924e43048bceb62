// Reverse lookups in the emulator, batch and single, over real HTTP on 127.0.0.1: not found far
// from every known place, distance and category when found, inputs recorded as sent.

import { describe, expect, it } from "vitest";
import { emulatorOnLoopback, expectError, REVERSE } from "./support/emulator-http";

const loop = emulatorOnLoopback();
const { start, post, get, geocodeAll } = loop;

const PLUS_CODE = /^[23456789CFGHJMPQRVWX]{8}\+[23456789CFGHJMPQRVWX]{2}$/;

describe("reverse", () => {
  it("answers not found far from every known place, with only the coordinate in query", async () => {
    const instance = await start();
    const body = [[-30, 40], { lon: 2.2951, lat: 48.8587 }, [-160, -40]];
    const results = (await (await post(`${REVERSE}?lang=de`, body)).json()) as Array<
      Record<string, unknown> & { query: Record<string, unknown> }
    >;
    for (const [index, [lon, lat]] of [
      [-30, 40],
      [-160, -40],
    ].entries()) {
      const atSea = results[index * 2];
      expect(Object.keys(atSea)).toEqual(["query"]);
      expect(atSea.query).toEqual({ lon, lat, plus_code: expect.stringMatching(PLUS_CODE) });
      expect(atSea.query).not.toHaveProperty("text");
    }
    expect(results[1]).toMatchObject({
      name: "Tour Eiffel",
      category: "tourism.attraction",
      country: "Frankreich",
      query: { lon: 2.2951, lat: 48.8587 },
      datasource: { attribution: "© OpenStreetMap contributors" },
    });
    expect(results[1].distance).toBeGreaterThan(0);
    expect(results[1].distance).toBeLessThan(100);
    expect(results[1]).not.toHaveProperty("rank");
    expect(instance.requests[0]).toMatchObject({
      kind: "reverse-submit",
      inputs: body,
      options: { lang: "de" },
    });
  });

  it("finds a place near a synthetic address, in the same country", async () => {
    await start();
    const synthetic = await geocodeAll(["3 Rue Imaginaire, Lyon, France", "8 Fake Street, Japan"]);
    const reversed = (await (
      await post(
        REVERSE,
        synthetic.map((result) => [result.lon, result.lat])
      )
    ).json()) as Array<Record<string, unknown>>;
    reversed.forEach((result, index) => {
      expect(result.country_code).toBe(synthetic[index].country_code);
      expect(result.distance).toBeLessThan(50_000);
    });
  });

  it("answers the single reverse lookup, counted as its own kind", async () => {
    const instance = await start();
    const lookup = (lat: number, lon: number) =>
      get(`/v1/geocode/reverse?lat=${lat}&lon=${lon}&format=json`);
    const near = (await (await lookup(51.5014, -0.1419)).json()) as {
      results: Array<Record<string, unknown>>;
    };
    expect(near.results[0]).toMatchObject({ name: "Buckingham Palace", country_code: "gb" });
    expect(((await (await lookup(0, 0)).json()) as { results: unknown[] }).results).toEqual([]);
    await expectError(await lookup(200, 20), 400, /"lat" must be a number/);
    expect(instance.requests.map((request) => request.kind)).toEqual([
      "single-reverse",
      "single-reverse",
      "single-reverse",
    ]);
  });
});
