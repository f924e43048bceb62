// An address as a lookup input: non-blank text of a length Geoapify accepts, cleaned once.

import { cleanAddress } from "./lookup";
import { InvalidInputError } from "./problems";

/** Geoapify's own limit on one free-form address. */
export const MAX_ADDRESS_LENGTH = 1000;

/** The cleaned address; anything that is not an address throws before it can be sent. */
export function readAddress(value: unknown): string {
  if (value === null || value === undefined || value === "") {
    throw new InvalidInputError({ kind: "address-missing" });
  }
  if (typeof value === "number") {
    throw new InvalidInputError({ kind: "address-number", value });
  }
  if (typeof value !== "string") {
    throw new InvalidInputError({ kind: "address-not-text" });
  }
  const address = cleanAddress(value);
  if (!address) {
    throw new InvalidInputError({ kind: "address-blank" });
  }
  if (address.length > MAX_ADDRESS_LENGTH) {
    throw new InvalidInputError({ kind: "address-too-long", maxLength: MAX_ADDRESS_LENGTH });
  }
  return address;
}
