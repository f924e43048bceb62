// One spelling per address. Cells that differ only in spacing or case are the same place to
// Geoapify, so they share one batch slot and one cache entry.

/** The text sent to Geoapify: trimmed, inner whitespace collapsed, case kept. */
export function cleanAddress(address: string): string {
  return address.trim().replace(/\s+/g, " ");
}

/** The identity used for de-duplication and caching. */
export function addressKey(address: string): string {
  return cleanAddress(address).toLowerCase();
}
