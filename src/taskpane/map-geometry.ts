// The map's arithmetic, apart from drawing: the projection fitted to the canvas, the level of a
// confidence and its colours, and which point lies under the pointer. Pure, so it is tested
// without a canvas.

import { geoEqualEarth, type GeoProjection } from "d3-geo";

/** Equal Earth, fitted to the whole globe inside `width` × `height` with a small margin. */
export function fitProjection(width: number, height: number, margin = 4): GeoProjection {
  return geoEqualEarth().fitExtent(
    [
      [margin, margin],
      [width - margin, height - margin],
    ],
    { type: "Sphere" }
  );
}

export type ConfidenceLevel = "high" | "medium" | "low" | "unknown";

/**
 * The map's colours in each theme. Points have at least 3:1 contrast against the land and the
 * sea they sit on (WCAG non-text contrast); the legend and the map's label say what each means.
 */
export const MAP_PALETTES = {
  light: {
    sea: "#eef4fa",
    land: "#d6d6d6",
    coast: "#9e9e9e",
    points: { high: "#0e7a0d", medium: "#a35200", low: "#c50f1f", unknown: "#616161" },
  },
  dark: {
    sea: "#1a2633",
    land: "#3d3d3d",
    coast: "#707070",
    points: { high: "#6ccb5f", medium: "#f2b04a", low: "#ff8a8a", unknown: "#c8c8c8" },
  },
} as const;

export type MapPalette = (typeof MAP_PALETTES)[keyof typeof MAP_PALETTES];

/** Geoapify's confidence runs from 0 to 1: 0.9 and up is a sure match, below 0.5 a doubtful one. */
export function confidenceLevel(confidence: number | undefined): ConfidenceLevel {
  if (confidence === undefined || !Number.isFinite(confidence)) return "unknown";
  if (confidence >= 0.9) return "high";
  if (confidence >= 0.5) return "medium";
  return "low";
}

export interface ScreenPoint {
  x: number;
  y: number;
  index: number;
}

/** Projects [lon, lat] points; points the projection cannot place are left out. */
export function projectPoints(
  projection: GeoProjection,
  positions: ReadonlyArray<{ lat?: number; lon?: number }>
): ScreenPoint[] {
  const out: ScreenPoint[] = [];
  positions.forEach((position, index) => {
    if (position.lat === undefined || position.lon === undefined) return;
    const xy = projection([position.lon, position.lat]);
    if (xy && Number.isFinite(xy[0]) && Number.isFinite(xy[1]))
      out.push({ x: xy[0], y: xy[1], index });
  });
  return out;
}

/** The point nearest to (x, y) within `radius` pixels; the last drawn wins a tie (it is on top). */
export function nearestPoint(
  points: readonly ScreenPoint[],
  x: number,
  y: number,
  radius: number
): ScreenPoint | undefined {
  let best: ScreenPoint | undefined;
  let bestDistance = radius * radius;
  for (const point of points) {
    const distance = (point.x - x) ** 2 + (point.y - y) ** 2;
    if (distance <= bestDistance) {
      best = point;
      bestDistance = distance;
    }
  }
  return best;
}
