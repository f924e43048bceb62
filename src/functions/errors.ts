// How failures look in a cell. Excel shows a message only for #N/A and #VALUE!, so every error
// is one of those two, with a short sentence that says what to do.

import { GeoapifyError } from "../geoapify/errors";
import { GeoBatchStoppedError } from "../runtime/geocoder";
import { MissingApiKeyError } from "../settings/settings";

/** Longest address quoted back in a "No match" message; longer ones are cut with an ellipsis. */
const QUOTED_ADDRESS_LENGTH = 40;

/** #VALUE!: the input or the setup is wrong, and retrying will not help until it is fixed. */
export function invalidValue(message: string): CustomFunctions.Error {
  return new CustomFunctions.Error(CustomFunctions.ErrorCode.invalidValue, message);
}

/** #N/A: no answer now (not found, or Geoapify unreachable); a recalculation may succeed. */
export function notAvailable(message: string): CustomFunctions.Error {
  return new CustomFunctions.Error(CustomFunctions.ErrorCode.notAvailable, message);
}

export function noMatch(address: string): CustomFunctions.Error {
  const quoted =
    address.length > QUOTED_ADDRESS_LENGTH
      ? `${address.slice(0, QUOTED_ADDRESS_LENGTH - 1)}…`
      : address;
  return notAvailable(`No match for "${quoted}"`);
}

/** The cell error for anything the geocoder threw. Messages are ours, never a stack or a URL. */
export function toCellError(error: unknown): CustomFunctions.Error {
  if (error instanceof MissingApiKeyError) {
    return invalidValue(error.message);
  }
  if (error instanceof GeoapifyError) {
    switch (error.kind) {
      case "auth":
        return invalidValue("Geoapify rejected the API key — check it in the GeoBatch pane");
      case "bad-request":
        return invalidValue("Geoapify refused this address");
      case "aborted":
        return notAvailable("Cancelled");
      default:
        // The client writes these messages for users: timeouts, quota, network, rate limits.
        return notAvailable(error.message);
    }
  }
  if (error instanceof GeoBatchStoppedError) {
    return notAvailable(error.message);
  }
  if (error instanceof Error && error.name === "AbortError") {
    return notAvailable("Cancelled");
  }
  return notAvailable("Geocoding failed — recalculate to try again");
}
