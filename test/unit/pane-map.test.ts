import { describe, expect, it } from "vitest";
import {
  confidenceLevel,
  MAP_PALETTES,
  fitProjection,
  nearestPoint,
  projectPoints,
} from "../../src/taskpane/map-geometry";

describe("the map's projection", () => {
  it("fits the globe to the canvas: (0, 0) in the middle, the poles and the date line inside", () => {
    const projection = fitProjection(400, 200, 4);
    const [x, y] = projection([0, 0]) ?? [];
    expect(x).toBeCloseTo(200, 5);
    expect(y).toBeCloseTo(100, 5);
    for (const corner of [
      [180, 0],
      [-180, 0],
      [0, 90],
      [0, -90],
    ] as Array<[number, number]>) {
      const [px, py] = projection(corner) ?? [Number.NaN, Number.NaN];
      expect(px).toBeGreaterThanOrEqual(3.99);
      expect(px).toBeLessThanOrEqual(396.01);
      expect(py).toBeGreaterThanOrEqual(3.99);
      expect(py).toBeLessThanOrEqual(196.01);
    }
    // North is up, east is right.
    expect(projection([10, 50])?.[1]).toBeLessThan(100);
    expect(projection([10, 50])?.[0]).toBeGreaterThan(200);
  });

  it("projects positions, skipping those without one, and keeps their index", () => {
    const projection = fitProjection(400, 200);
    const points = projectPoints(projection, [{ lat: 0, lon: 0 }, {}, { lat: 10, lon: -20 }]);
    expect(points.map((p) => p.index)).toEqual([0, 2]);
  });

  it("finds the point under the pointer within the radius, the topmost on a tie", () => {
    const points = [
      { x: 10, y: 10, index: 0 },
      { x: 30, y: 10, index: 1 },
      { x: 30, y: 10, index: 2 },
    ];
    expect(nearestPoint(points, 12, 11, 5)?.index).toBe(0);
    expect(nearestPoint(points, 29, 10, 5)?.index).toBe(2);
    expect(nearestPoint(points, 20, 30, 5)).toBeUndefined();
  });
});

describe("the confidence levels and their colours", () => {
  it.each([
    [1, "high"],
    [0.9, "high"],
    [0.89, "medium"],
    [0.5, "medium"],
    [0.49, "low"],
    [0, "low"],
    [undefined, "unknown"],
    [Number.NaN, "unknown"],
  ])("%s is %s", (confidence, level) => {
    expect(confidenceLevel(confidence)).toBe(level);
  });

  it.each(["light", "dark"] as const)(
    "are distinct and stand out (3:1) from the %s map's sea and land",
    (theme) => {
      const luminance = (hex: string) => {
        const [r, g, b] = [1, 3, 5].map((i) => {
          const c = parseInt(hex.slice(i, i + 2), 16) / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const contrast = (a: string, b: string) => {
        const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (light + 0.05) / (dark + 0.05);
      };
      const palette = MAP_PALETTES[theme];
      const colours = Object.values(palette.points);
      expect(new Set(colours).size).toBe(colours.length);
      for (const colour of colours) {
        expect(contrast(colour, palette.sea)).toBeGreaterThanOrEqual(3);
        expect(contrast(colour, palette.land)).toBeGreaterThanOrEqual(3);
      }
    }
  );
});
