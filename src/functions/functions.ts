// The custom functions: Excel's only entry into GeoBatch. They validate input, hand addresses to
// the runtime's geocoder and turn its answers into cell values or cell errors. The JSDoc below
// is read by custom-functions-metadata-plugin to generate functions.json and register them.

import { geocoder } from "../runtime/runtime";
import { invalidValue, noMatch, toCellError } from "./errors";

/** Geoapify's own limit on one free-form address. */
const MAX_ADDRESS_LENGTH = 1000;

/**
 * Latitude and longitude of an address, geocoded by Geoapify in one batch with the other cells.
 * @customfunction LOCATION
 * @param address The address, for example "11 Wall Street New York".
 * @param invocation Lets Excel cancel the call when the cell is edited or cleared.
 * @returns Latitude and longitude, spilled into two cells.
 * @cancelable
 */
export async function location(
  address: unknown,
  invocation: CustomFunctions.CancelableInvocation
): Promise<number[][]> {
  if (address === null || address === undefined || address === "") {
    throw invalidValue("The address cell is empty");
  }
  if (typeof address !== "string") {
    throw invalidValue("GEO.LOCATION needs an address as text");
  }
  if (!address.trim()) {
    throw invalidValue("The address is blank");
  }
  if (address.length > MAX_ADDRESS_LENGTH) {
    throw invalidValue("The address is longer than 1,000 characters");
  }
  const cancellation = new AbortController();
  invocation.onCanceled = () => cancellation.abort();
  let place;
  try {
    place = await geocoder.locate(address, cancellation.signal);
  } catch (error) {
    throw toCellError(error);
  }
  if (!place) {
    throw noMatch(address.trim());
  }
  return [[place.lat, place.lon]];
}
