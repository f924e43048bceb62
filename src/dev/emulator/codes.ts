// The identifiers a Geoapify result carries, computed the way Geoapify computes them (plus codes)
// or shaped like its own (place ids), so parsers and caches meet realistic values.

const PLUS_CODE_ALPHABET = "23456789CFGHJMPQRVWX";
/** A 10-digit plus code has cells of 1/8000 degree (about 14 m). */
const PLUS_CODE_CELLS_PER_DEGREE = 8000;
const PLUS_CODE_PAIRS = 5;

/** The 10-digit Open Location Code of a point, e.g. "9F4MGCC4+22" for 52.52, 13.405. */
export function plusCode(lat: number, lon: number): string {
  // Rounding to 1e-6 of a cell first keeps values like 52.52 * 8000 from landing a cell short.
  const cell = (degrees: number) =>
    Math.floor(Math.round(degrees * PLUS_CODE_CELLS_PER_DEGREE * 1e6) / 1e6);
  const latitudeCells = 180 * PLUS_CODE_CELLS_PER_DEGREE;
  const longitudeCells = 360 * PLUS_CODE_CELLS_PER_DEGREE;
  let latValue = Math.min(cell(Math.min(90, Math.max(-90, lat)) + 90), latitudeCells - 1);
  let lonValue = ((cell(lon + 180) % longitudeCells) + longitudeCells) % longitudeCells;
  const pairs: string[] = [];
  for (let pair = 0; pair < PLUS_CODE_PAIRS; pair++) {
    pairs.unshift(PLUS_CODE_ALPHABET[latValue % 20] + PLUS_CODE_ALPHABET[lonValue % 20]);
    latValue = Math.floor(latValue / 20);
    lonValue = Math.floor(lonValue / 20);
  }
  const digits = pairs.join("");
  return `${digits.slice(0, 8)}+${digits.slice(8)}`;
}

function doubleHex(value: number): string {
  const buffer = Buffer.alloc(8);
  buffer.writeDoubleLE(value);
  return buffer.toString("hex");
}

/** Geoapify's place ids run from about 70 to 150 hex digits. */
const PLACE_ID_MAX_LENGTH = 150;

/**
 * A place id shaped like Geoapify's: the point as two little-endian doubles, then the source
 * object's name in hex, e.g. "openstreetmap:venue:tour-eiffel".
 */
export function placeId(lat: number, lon: number, sourceObject: string): string {
  const id = `51${doubleHex(lon)}59${doubleHex(lat)}c00203${Buffer.from(sourceObject).toString("hex")}`;
  return id.slice(0, PLACE_ID_MAX_LENGTH);
}
