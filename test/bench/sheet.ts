// The sheets the benchmark recalculates: N cells, each holding one address (or, for GEO.REVERSE,
// one coordinate), with a given share of duplicates scattered through the sheet the way a
// customer list repeats its cities.

import { geocode } from "../../src/dev/emulator/gazetteer";
import { coordinateInput, type LookupKind } from "../../src/places/lookup";

export interface Sheet {
  /** "search": addresses; "reverse": coordinates as "lat,lon" (coordinateInput, rounded). */
  kind: LookupKind;
  /** One input per cell, in invocation order. */
  inputs: string[];
  /** Distinct inputs among them. */
  unique: number;
  duplicateShare: number;
}

/** Every this many reverse inputs, one lies at sea, where the emulator finds nothing (#N/A). */
const AT_SEA_EVERY = 10;

/** Contains a digit, so the emulator resolves it to a synthetic building (see gazetteer.ts). */
export function benchAddress(index: number): string {
  return `${index + 1} Bench Street, Springfield`;
}

/**
 * `cells` cells with `round(cells × (1 − duplicateShare))` distinct addresses. Every address
 * appears equally often (± 1) at positions from a seeded shuffle, so each run of the same sheet
 * is identical and the first occurrence of each address is spread over the whole sheet.
 */
export function buildSheet(cells: number, duplicateShare: number): Sheet {
  return spread("search", cells, duplicateShare, benchAddress);
}

/**
 * `cells` distinct coordinates for GEO.REVERSE: the emulator's points for the bench addresses
 * (each within 50 km of a known city, so found), and one in ten in the South Atlantic, far from
 * every known place (not found).
 */
export function buildReverseSheet(cells: number): Sheet {
  return spread("reverse", cells, 0, (index) => {
    if (index % AT_SEA_EVERY === AT_SEA_EVERY - 1) {
      return coordinateInput(-30 - (index % 997) / 100, -20 + (index % 991) / 100);
    }
    const { lat, lon } = geocode(benchAddress(index));
    return coordinateInput(lat as number, lon as number);
  });
}

function spread(
  kind: LookupKind,
  cells: number,
  duplicateShare: number,
  inputOf: (index: number) => string
): Sheet {
  const unique = Math.max(1, Math.round(cells * (1 - duplicateShare)));
  const order = shuffledIndices(cells, cells * 7919 + unique);
  const distinct = Array.from({ length: unique }, (_, index) => inputOf(index));
  const inputs = new Array<string>(cells);
  for (let cell = 0; cell < cells; cell++) {
    inputs[cell] = distinct[order[cell] % unique];
  }
  return { kind, inputs, unique, duplicateShare };
}

function shuffledIndices(count: number, seed: number): Uint32Array {
  const indices = new Uint32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  const random = mulberry32(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices;
}

/** A small seeded PRNG: Math.random cannot be seeded, and sheets must be reproducible. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
