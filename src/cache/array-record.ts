// Records of format 2, written by GeoBatch before the details were packed:
// `[2, storedAt, lat, lon, ...details]` for a place, the details as an array in FIELDS order
// (trailing nulls left off) with the formatted address given as 0 when it was its two address
// lines joined by ", "; `[2, storedAt]` for a not-found. The cache still reads them, and rewrites
// each in the current format at its first flush, so that an upgrade pays for no address again.

import {
  type DetailValues,
  FIELDS,
  isFiniteNumber,
  isValueOfKind,
  KINDS,
  type RecordContents,
} from "./detail-fields";

export const ARRAY_RECORD_FORMAT = 2;

const FORMATTED = FIELDS.indexOf("formatted");
const LINE1 = FIELDS.indexOf("address_line1");
const LINE2 = FIELDS.indexOf("address_line2");
const JOINED_LINES = 0;

/** The contents of a format 2 record, or undefined for a damaged one. */
export function parseArrayRecord(record: unknown[]): RecordContents | undefined {
  if (!isFiniteNumber(record[1])) {
    return undefined;
  }
  if (record.length === 2) {
    return { storedAt: record[1], lat: NaN, lon: NaN, values: [] };
  }
  const values = record.slice(4);
  const valid =
    isFiniteNumber(record[2]) &&
    isFiniteNumber(record[3]) &&
    values.length <= FIELDS.length &&
    values.every(
      (value, index) =>
        value === null ||
        isValueOfKind(value, KINDS[index]) ||
        (index === FORMATTED && value === JOINED_LINES && typeof values[LINE2] === "string")
    );
  if (!valid) {
    return undefined;
  }
  const details = values as DetailValues;
  if (details[FORMATTED] === JOINED_LINES) {
    details[FORMATTED] = `${details[LINE1]}, ${details[LINE2]}`;
  }
  return {
    storedAt: record[1],
    lat: record[2] as number,
    lon: record[3] as number,
    values: details,
  };
}
