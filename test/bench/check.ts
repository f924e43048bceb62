// Correctness: the benchmark exits non-zero on a wrong result. A cell is right when it holds
// exactly the coordinates the emulator's gazetteer gives its input (and, for a reverse lookup,
// the formatted address GEO.REVERSE shows), or null for a not-found, or when it failed with one
// of the errors the product documents.

import { geocode, reverseGeocode } from "../../src/dev/emulator/gazetteer";
import { GeoapifyError } from "../../src/geoapify/errors";
import { parseCoordinateInput, type LookupKind } from "../../src/places/lookup";
import { BudgetExceededError, GeoBatchStoppedError } from "../../src/runtime/errors";
import { MissingApiKeyError } from "../../src/settings/settings";
import type { SheetRun } from "./invoker";
import { ArticleHttpError } from "./strategies/article";
import type { CellValue } from "./strategies/cell";

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

/** The answer the emulator gives for an input, memoised: a sheet repeats its inputs. */
export class Oracle {
  private readonly answers = new Map<string, CellValue | null>();

  constructor(readonly kind: LookupKind = "search") {}

  expected(input: string): CellValue | null {
    let answer = this.answers.get(input);
    if (answer === undefined) {
      answer = this.kind === "search" ? forward(input) : reverse(input);
      this.answers.set(input, answer);
    }
    return answer;
  }
}

function forward(address: string): CellValue | null {
  const { lat, lon } = geocode(address);
  return lat === undefined || lon === undefined ? null : { lat, lon };
}

function reverse(input: string): CellValue | null {
  const { lat, lon } = parseCoordinateInput(input);
  const result = reverseGeocode(lon, lat) as { lat?: number; lon?: number; formatted?: string };
  if (result.lat === undefined || result.lon === undefined) return null;
  return { lat: result.lat, lon: result.lon, formatted: result.formatted };
}

export function tallyCells(inputs: readonly string[], run: SheetRun, oracle: Oracle): CellTally {
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
      tally.wrong.push(`cell ${cell + 1} (${inputs[cell]}): ${description}`);
    }
  };
  inputs.forEach((input, cell) => {
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
    const expected = oracle.expected(input);
    if (expected === null ? result === null : samePlace(result, expected)) {
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
  inputs: readonly string[],
  reference: SheetRun,
  actual: SheetRun
): number {
  const referenceValue = new Map<string, unknown>();
  inputs.forEach((input, cell) => {
    if (!reference.failed[cell]) referenceValue.set(input, reference.results[cell]);
  });
  let differing = 0;
  inputs.forEach((input, cell) => {
    if (actual.failed[cell] || !referenceValue.has(input)) return;
    const expected = referenceValue.get(input);
    const value = actual.results[cell];
    const same = expected === null ? value === null : samePlace(value, expected as CellValue);
    if (!same) differing++;
  });
  return differing;
}

/** Same position; and the same formatted address wherever the expectation names one. */
function samePlace(value: unknown, expected: CellValue): boolean {
  if (typeof value !== "object" || value === null) return false;
  const { lat, lon, formatted } = value as Partial<CellValue>;
  return (
    lat === expected.lat &&
    lon === expected.lon &&
    (expected.formatted === undefined || formatted === expected.formatted)
  );
}

function documentedErrorKind(reason: unknown): string | undefined {
  if (reason instanceof GeoapifyError) return reason.kind;
  if (reason instanceof ArticleHttpError) return `HTTP ${reason.status}`;
  if (reason instanceof MissingApiKeyError) return "missing-key";
  if (reason instanceof GeoBatchStoppedError) return "stopped";
  if (reason instanceof BudgetExceededError) return "budget";
  return undefined;
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return JSON.stringify(value) ?? String(value);
}
