// Arguments as Excel passes them, turned into lookups. Every function validates here, before it
// asks the runtime for anything, so invalid input is never looked up or sent.
//
// Excel passes a parameter declared as a matrix (`any[][]`) as `[[value]]` even for one value,
// and older hosts and the workbench may pass a bare value: both shapes are read alike. An
// omitted argument (null or undefined), an empty cell (null) and "" all mean "not given".

import { readAddress } from "../places/address";
import { readCoordinate } from "../places/coordinates";
import type { LatLon } from "../places/distance";
import { parseFields } from "../places/fields";
import { coordinateInput, type Lookup } from "../places/lookup";
import { lookupOptions } from "../places/options";
import type { PlaceField } from "../places/place";
import { InvalidInputError } from "../places/problems";

/** The one value of an argument given as a value or as a 1×1 range. */
function single(value: unknown, parameter: string): unknown {
  if (!Array.isArray(value)) return value;
  const cells = value.flat();
  if (cells.length > 1) throw new InvalidInputError({ kind: "not-single-value", parameter });
  return cells[0];
}

/** An optional text argument; undefined when not given. Numbers and booleans become text. */
function optionalText(value: unknown, parameter: string): string | undefined {
  const one = single(value, parameter);
  return one === null || one === undefined || one === "" ? undefined : String(one);
}

/** A forward lookup of an address, with country and language options. */
export function searchLookup(address: unknown, country?: unknown, language?: unknown): Lookup {
  return {
    kind: "search",
    input: readAddress(single(address, "address")),
    options: lookupOptions(optionalText(country, "country"), optionalText(language, "language")),
  };
}

/** A reverse lookup of a coordinate, rounded by coordinateInput before anything else. */
export function reverseLookup(lat: unknown, lon: unknown, language?: unknown): Lookup {
  return {
    kind: "reverse",
    input: coordinateInput(
      readCoordinate(single(lat, "lat"), "latitude"),
      readCoordinate(single(lon, "lon"), "longitude")
    ),
    options: lookupOptions(undefined, optionalText(language, "language")),
  };
}

/** The fields named by a text or a range of names; `defaults` when none is named. */
export function fieldList(
  fields: unknown,
  valid: readonly PlaceField[],
  defaults: readonly PlaceField[]
): readonly PlaceField[] {
  const cells = Array.isArray(fields) ? fields.flat() : [fields];
  const names = cells.filter((cell) => cell !== null && cell !== undefined).map(String);
  const parsed = parseFields(names, valid);
  return parsed.length ? parsed : defaults;
}

/** The distance unit text, or undefined when not given. */
export function unitText(unit: unknown): string | undefined {
  return optionalText(unit, "unit");
}

/**
 * A DISTANCE end: a coordinate when given exactly two values in a 1×2 or 2×1 range (such as the
 * spill of GEO.LOCATION), else an address to look up with no options.
 */
export function pointOrSearch(value: unknown, parameter: string): LatLon | Lookup {
  if (!Array.isArray(value) || value.flat().length === 1) {
    return { kind: "search", input: readAddress(single(value, parameter)), options: {} };
  }
  const isPair =
    (value.length === 1 && value[0]?.length === 2) ||
    (value.length === 2 && value.every((row) => Array.isArray(row) && row.length === 1));
  if (!isPair) throw new InvalidInputError({ kind: "not-a-point", parameter });
  const [lat, lon] = value.flat();
  return { lat: readCoordinate(lat, "latitude"), lon: readCoordinate(lon, "longitude") };
}
