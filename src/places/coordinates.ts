// Coordinates as users give them: numbers, or text that is a plain decimal number (coordinates
// pasted from CSV files often arrive as text). Anything else is named back to the user.

import { type Axis, InvalidInputError } from "./problems";

const LIMITS: Record<Axis, number> = { latitude: 90, longitude: 180 };

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** A latitude or longitude in range; blank, non-numeric or out of range throws. */
export function readCoordinate(value: unknown, axis: Axis): number {
  if (value === null || value === undefined || (typeof value === "string" && !value.trim())) {
    throw new InvalidInputError({ kind: "coordinate-missing", axis });
  }
  const number = typeof value === "string" && DECIMAL.test(value.trim()) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number)) {
    throw new InvalidInputError({ kind: "coordinate-not-number", axis, value: String(value) });
  }
  const limit = LIMITS[axis];
  if (Math.abs(number) > limit) {
    throw new InvalidInputError({ kind: "coordinate-out-of-range", axis, value: number, limit });
  }
  return number;
}
