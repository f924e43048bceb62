// Correctness: the benchmark exits non-zero on a wrong result, never on a slow one. A cell is
// right when it holds exactly the coordinates the emulator's gazetteer gives its address (or
// null for a not-found), or when it failed with one of the errors the product documents.

import { geocode } from "../../src/dev/emulator/gazetteer";
import { GeoapifyError } from "../../src/geoapify/errors";
import { GeoBatchStoppedError } from "../../src/runtime/geocoder";
import { MissingApiKeyError } from "../../src/settings/settings";
import type { SheetRun } from "./invoker";
import { ArticleHttpError } from "./strategies/article";
import type { Coordinates } from "./strategies/cell";

/** How many wrong cells a report quotes; the count covers all of them. */
const QUOTED_WRONG_CELLS = 5;

export interface CellTally {
  places: number;
  notFound: number;
  /** Cells that failed with a documented error, by kind ("rate-limit", "HTTP 400", …). */
  errors: Record<string, number>;
  errorCount: number;
  wrongCount: number;
  /** The first few wrong cells, described. */
  wrong: string[];
}

/** The answer the emulator gives for `address`, memoised: a sheet repeats its addresses. */
export class Oracle {
  private readonly answers = new Map<string, Coordinates | null>();

  expected(address: string): Coordinates | null {
    let answer = this.answers.get(address);
    if (answer === undefined) {
      const { lat, lon } = geocode(address);
      answer = lat === undefined || lon === undefined ? null : { lat, lon };
      this.answers.set(address, answer);
    }
    return answer;
  }
}

export function tallyCells(addresses: readonly string[], run: SheetRun, oracle: Oracle): CellTally {
  const tally: CellTally = {
    places: 0,
    notFound: 0,
    errors: {},
    errorCount: 0,
    wrongCount: 0,
    wrong: [],
  };
  const markWrong = (cell: number, description: string): void => {
    tally.wrongCount++;
    if (tally.wrong.length < QUOTED_WRONG_CELLS) {
      tally.wrong.push(`cell ${cell + 1} (${addresses[cell]}): ${description}`);
    }
  };
  addresses.forEach((address, cell) => {
    const result = run.results[cell];
    if (run.failed[cell]) {
      const kind = documentedErrorKind(result);
      if (kind === undefined) {
        markWrong(cell, `undocumented failure ${describe(result)}`);
      } else {
        tally.errors[kind] = (tally.errors[kind] ?? 0) + 1;
        tally.errorCount++;
      }
      return;
    }
    const expected = oracle.expected(address);
    if (expected === null ? result === null : sameCoordinates(result, expected)) {
      if (expected === null) tally.notFound++;
      else tally.places++;
    } else {
      markWrong(cell, `expected ${JSON.stringify(expected)}, got ${describe(result)}`);
    }
  });
  return tally;
}

/**
 * Cells of `actual` whose value differs from the value the same address got in `reference`
 * (cells that failed in either run are not compared).
 */
export function differingCells(
  addresses: readonly string[],
  reference: SheetRun,
  actual: SheetRun
): number {
  const referenceValue = new Map<string, unknown>();
  addresses.forEach((address, cell) => {
    if (!reference.failed[cell]) referenceValue.set(address, reference.results[cell]);
  });
  let differing = 0;
  addresses.forEach((address, cell) => {
    if (actual.failed[cell] || !referenceValue.has(address)) return;
    const expected = referenceValue.get(address);
    const value = actual.results[cell];
    const same =
      expected === null ? value === null : sameCoordinates(value, expected as Coordinates);
    if (!same) differing++;
  });
  return differing;
}

function sameCoordinates(value: unknown, expected: Coordinates): boolean {
  if (typeof value !== "object" || value === null) return false;
  const { lat, lon } = value as Partial<Coordinates>;
  return lat === expected.lat && lon === expected.lon;
}

function documentedErrorKind(reason: unknown): string | undefined {
  if (reason instanceof GeoapifyError) return reason.kind;
  if (reason instanceof ArticleHttpError) return `HTTP ${reason.status}`;
  if (reason instanceof MissingApiKeyError) return "missing-key";
  if (reason instanceof GeoBatchStoppedError) return "stopped";
  return undefined;
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return JSON.stringify(value) ?? String(value);
}
