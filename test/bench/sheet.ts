// The sheets the benchmark recalculates: N cells, each holding one address, with a given share
// of duplicates scattered through the sheet the way a customer list repeats its cities.

export interface Sheet {
  /** One address per cell, in invocation order. */
  addresses: string[];
  /** Distinct addresses among them. */
  unique: number;
  duplicateShare: number;
}

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
  const unique = Math.max(1, Math.round(cells * (1 - duplicateShare)));
  const order = shuffledIndices(cells, cells * 7919 + unique);
  const addresses = new Array<string>(cells);
  for (let cell = 0; cell < cells; cell++) {
    addresses[cell] = benchAddress(order[cell] % unique);
  }
  return { addresses, unique, duplicateShare };
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
