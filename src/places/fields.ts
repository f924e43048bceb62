// Field lists as users type them in GEO.DETAILS and GEO.REVERSE, and the value of a field.

import { NUMERIC_FIELDS, type Place, type PlaceField } from "./place";
import { InvalidInputError } from "./problems";

/** What GEO.DETAILS answers when no fields are asked for. */
export const DEFAULT_DETAILS_FIELDS: readonly PlaceField[] = [
  "formatted",
  "lat",
  "lon",
  "confidence",
  "match_type",
];

/**
 * The fields named in `items`, in order. Each item is a text such as "city, postcode" or a name
 * from one cell of a range: names are split on commas and semicolons, spaces around them and
 * empty items are ignored, case does not matter and a repeated name is kept (the user asked for
 * two columns). An empty result means no field was named. A name outside `valid` throws.
 */
export function parseFields(items: readonly string[], valid: readonly PlaceField[]): PlaceField[] {
  const names = items.flatMap((item) => item.split(/[,;]/)).map((name) => name.trim());
  return names
    .filter((name) => name !== "")
    .map((name) => {
      const field = valid.find((candidate) => candidate === name.toLowerCase());
      if (!field) {
        throw new InvalidInputError({ kind: "unknown-field", name, valid });
      }
      return field;
    });
}

/** A field's value: numbers stay numbers; a part the result lacks is "" so a row keeps its shape. */
export function fieldValue(place: Place, field: PlaceField): string | number {
  const value = place[field];
  if (value === undefined) return "";
  return NUMERIC_FIELDS.has(field) ? Number(value) : String(value);
}
