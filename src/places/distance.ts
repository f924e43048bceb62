// Distance on the sphere. A sphere of the IUGG mean radius is within 0.5% of the ellipsoid
// everywhere, which is as close as a geocoded point is to the place it names anyway.

import { InvalidInputError } from "./problems";

/** IUGG mean Earth radius (R1), in kilometres. */
export const EARTH_RADIUS_KM = 6371.0088;

/** Units GEO.DISTANCE answers in, as kilometres per unit. */
const KILOMETRES_PER_UNIT = { km: 1, mi: 1.609344, m: 0.001 } as const;

export type DistanceUnit = keyof typeof KILOMETRES_PER_UNIT;

export const DISTANCE_UNITS = Object.keys(KILOMETRES_PER_UNIT) as readonly DistanceUnit[];

export interface LatLon {
  lat: number;
  lon: number;
}

/** "km", "mi" or "m" in any case and spacing; undefined (not given) is km. */
export function parseUnit(text: string | undefined): DistanceUnit {
  if (text === undefined) return "km";
  const unit = DISTANCE_UNITS.find((candidate) => candidate === text.trim().toLowerCase());
  if (!unit) {
    throw new InvalidInputError({ kind: "unknown-unit", unit: text, valid: DISTANCE_UNITS });
  }
  return unit;
}

/** The haversine great-circle distance between two points, in `unit`. */
export function greatCircleDistance(from: LatLon, to: LatLon, unit: DistanceUnit = "km"): number {
  const radians = Math.PI / 180;
  const dLat = (to.lat - from.lat) * radians;
  const dLon = (to.lon - from.lon) * radians;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(from.lat * radians) * Math.cos(to.lat * radians) * Math.sin(dLon / 2) ** 2;
  // min() guards asin against rounding just above 1 for antipodal points.
  const kilometres = 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
  return kilometres / KILOMETRES_PER_UNIT[unit];
}
