// The custom functions: Excel's only entry into GeoBatch. Each one validates its arguments (see
// arguments.ts), asks the runtime for a place through the one shared call (call.ts) and shapes
// the answer. custom-functions-metadata-plugin reads the JSDoc below, from this file only, to
// write functions.json and register the functions in the GEO namespace of the manifest.

import { greatCircleDistance, parseUnit } from "../places/distance";
import { DEFAULT_DETAILS_FIELDS, fieldValue } from "../places/fields";
import { FORWARD_FIELDS, REVERSE_FIELDS, type Place, type PlaceField } from "../places/place";
import { fieldList, pointOrSearch, reverseLookup, searchLookup, unitText } from "./arguments";
import { call } from "./call";
import { placeValue } from "./place-value";

/** The fields of a place as one row: one value alone in its cell, several spilled right. */
function fieldRow(place: Place, fields: readonly PlaceField[]): (string | number)[][] {
  return [fields.map((field) => fieldValue(place, field))];
}

/**
 * Latitude and longitude of an address, geocoded by Geoapify in one batch with the other cells.
 * @customfunction LOCATION
 * @param address The address, for example "11 Wall Street New York".
 * @param [country] Only match in these countries: an ISO code such as "gb", or a list such as "de,fr".
 * @param [language] Language of the result: a two-letter code such as "en".
 * @param invocation Lets Excel cancel the call when the cell is edited or cleared.
 * @returns Latitude and longitude, spilled into two cells.
 * @cancelable
 * @requiresAddress
 */
export function location(
  address: unknown,
  country: unknown,
  language: unknown,
  invocation: CustomFunctions.CancelableInvocation
): Promise<number[][]> {
  return call("LOCATION", invocation, [address], async (ask) => {
    const place = await ask(searchLookup(address, country, language));
    return [[place.lat, place.lon]];
  });
}

/**
 * Latitude of an address, in one cell (works inside Excel Tables).
 * @customfunction LAT
 * @param address The address, for example "11 Wall Street New York".
 * @param [country] Only match in these countries: an ISO code such as "gb", or a list such as "de,fr".
 * @param [language] Language of the result: a two-letter code such as "en".
 * @param invocation Lets Excel cancel the call when the cell is edited or cleared.
 * @returns The latitude in degrees.
 * @cancelable
 * @requiresAddress
 */
export function lat(
  address: unknown,
  country: unknown,
  language: unknown,
  invocation: CustomFunctions.CancelableInvocation
): Promise<number> {
  return call("LAT", invocation, [address], async (ask) => {
    return (await ask(searchLookup(address, country, language))).lat;
  });
}

/**
 * Longitude of an address, in one cell (works inside Excel Tables).
 * @customfunction LON
 * @param address The address, for example "11 Wall Street New York".
 * @param [country] Only match in these countries: an ISO code such as "gb", or a list such as "de,fr".
 * @param [language] Language of the result: a two-letter code such as "en".
 * @param invocation Lets Excel cancel the call when the cell is edited or cleared.
 * @returns The longitude in degrees.
 * @cancelable
 * @requiresAddress
 */
export function lon(
  address: unknown,
  country: unknown,
  language: unknown,
  invocation: CustomFunctions.CancelableInvocation
): Promise<number> {
  return call("LON", invocation, [address], async (ask) => {
    return (await ask(searchLookup(address, country, language))).lon;
  });
}

/**
 * The address Geoapify matched, formatted: check it to catch a wrong match.
 * @customfunction ADDRESS
 * @param address The address, for example "11 Wall Street New York".
 * @param [country] Only match in these countries: an ISO code such as "gb", or a list such as "de,fr".
 * @param [language] Language of the result: a two-letter code such as "en".
 * @param invocation Lets Excel cancel the call when the cell is edited or cleared.
 * @returns The formatted address.
 * @cancelable
 * @requiresAddress
 */
export function address(
  address: unknown,
  country: unknown,
  language: unknown,
  invocation: CustomFunctions.CancelableInvocation
): Promise<string> {
  return call("ADDRESS", invocation, [address], async (ask) => {
    return String(fieldValue(await ask(searchLookup(address, country, language)), "formatted"));
  });
}

/**
 * Fields of the place matched for an address, such as city, postcode, confidence and match_type.
 * @customfunction DETAILS
 * @param address The address, for example "11 Wall Street New York".
 * @param [fields] Field names, as text ("city, postcode") or a range of names. Default: formatted, lat, lon, confidence, match_type.
 * @param [country] Only match in these countries: an ISO code such as "gb", or a list such as "de,fr".
 * @param [language] Language of the result: a two-letter code such as "en".
 * @param invocation Lets Excel cancel the call when the cell is edited or cleared.
 * @returns One value per field, in the order asked, in one row.
 * @cancelable
 * @requiresAddress
 */
export function details(
  address: unknown,
  fields: unknown[][],
  country: unknown,
  language: unknown,
  invocation: CustomFunctions.CancelableInvocation
): Promise<unknown[][]> {
  return call("DETAILS", invocation, [address], async (ask) => {
    const names = fieldList(fields, FORWARD_FIELDS, DEFAULT_DETAILS_FIELDS);
    return fieldRow(await ask(searchLookup(address, country, language)), names);
  });
}

/**
 * Great-circle distance between two places, each an address or a latitude and longitude pair.
 * @customfunction DISTANCE
 * @param from An address, or latitude and longitude as two cells (for example the spill of GEO.LOCATION).
 * @param to An address, or latitude and longitude as two cells.
 * @param [unit] "km" (default), "mi" or "m".
 * @param invocation Lets Excel cancel the call when the cell is edited or cleared.
 * @returns The distance in the unit asked.
 * @cancelable
 * @requiresAddress
 */
export function distance(
  from: unknown[][],
  to: unknown[][],
  unit: unknown,
  invocation: CustomFunctions.CancelableInvocation
): Promise<number> {
  return call("DISTANCE", invocation, [from, to], async (ask) => {
    const inUnit = parseUnit(unitText(unit));
    const ends = [pointOrSearch(from, "from"), pointOrSearch(to, "to")];
    const [start, end] = await Promise.all(ends.map((e) => ("kind" in e ? ask(e) : e)));
    return greatCircleDistance(start, end, inUnit);
  });
}

/**
 * The address nearest a latitude and longitude, or fields of that place.
 * @customfunction REVERSE
 * @param lat Latitude, -90 to 90.
 * @param lon Longitude, -180 to 180.
 * @param [fields] Field names, as text ("city, postcode, distance") or a range of names. Default: the formatted address.
 * @param [language] Language of the result: a two-letter code such as "en".
 * @param invocation Lets Excel cancel the call when the cell is edited or cleared.
 * @returns The formatted address, or one value per field in one row.
 * @cancelable
 * @requiresAddress
 */
export function reverse(
  lat: unknown,
  lon: unknown,
  fields: unknown[][],
  language: unknown,
  invocation: CustomFunctions.CancelableInvocation
): Promise<unknown[][]> {
  return call("REVERSE", invocation, [lat, lon], async (ask) => {
    const names = fieldList(fields, REVERSE_FIELDS, ["formatted"]);
    return fieldRow(await ask(reverseLookup(lat, lon, language)), names);
  });
}

/**
 * The place matched for an address, as a card: =A2.Latitude, =A2.City, =A2.[Match type] read its parts.
 * @customfunction PLACE
 * @param address The address, for example "Buckingham Palace, London".
 * @param [country] Only match in these countries: an ISO code such as "gb", or a list such as "de,fr".
 * @param [language] Language of the result: a two-letter code such as "en".
 * @param invocation Lets Excel cancel the call when the cell is edited or cleared.
 * @returns The place as an entity value (its formatted address where Excel cannot show cards).
 * @cancelable
 * @requiresAddress
 */
export function place(
  address: unknown,
  country: unknown,
  language: unknown,
  invocation: CustomFunctions.CancelableInvocation
): Promise<Excel.EntityCellValue | string> {
  return call("PLACE", invocation, [address], async (ask) => {
    return placeValue(await ask(searchLookup(address, country, language)));
  });
}
