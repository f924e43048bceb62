// One spelling per address. Cells that differ only in spacing or case are the same place to
// Geoapify, so they share one batch slot and one cache entry.

/** The text sent to Geoapify: trimmed, inner whitespace collapsed, case kept. */
export function cleanAddress(address: string): string {
  return address.trim().replace(/\s+/g, " ");
}

/** The identity used for de-duplication and caching, of an address already cleaned by
 * cleanAddress: the geocoder cleans each cell's text once and keys it from there. */
export function addressKey(cleanedAddress: string): string {
  return cleanedAddress.toLowerCase();
}
