// What Excel makes of what a custom function returns or throws: the error codes and
// CustomFunctions.Error, a result as the cells it fills, an entity kept whole where the add-in's
// metadata allows custom data, and a thrown error as the code (and message) a cell shows.

import { toEntity } from "./entity";
import { type CellValue, cellError, scalar } from "./values";

/** Excel's error codes, exactly as custom-functions-runtime defines them. #BUSY!, #SPILL! and
 * #CALC! are display states of the grid, not codes a function can return. */
export const ErrorCode = {
  invalidValue: "#VALUE!",
  notAvailable: "#N/A",
  divisionByZero: "#DIV/0!",
  invalidNumber: "#NUM!",
  nullReference: "#NULL!",
  invalidName: "#NAME?",
  invalidReference: "#REF!",
} as const;

/** Excel drops the message of every other code. */
const CODES_WITH_MESSAGE = new Set<string>([ErrorCode.invalidValue, ErrorCode.notAvailable]);

/** `CustomFunctions.Error`: like Office's, an Error subclass whose message defaults to "". */
export class CustomFunctionError extends Error {
  code: string;

  constructor(code: string = ErrorCode.invalidValue, message?: string) {
    super(message ?? "");
    this.code = code;
  }
}

export interface ResultRules {
  /** functions.json's `allowCustomDataForDataTypeAny`: without it Excel shows #VALUE! for an
   * entity (or any other object) a function returns. */
  entities: boolean;
}

/** A returned value as the cells it fills: one for a scalar, a block for a 2-D array. */
export function resultToCells(value: unknown, rules: ResultRules): CellValue[][] {
  if (!Array.isArray(value)) return [[resultToCell(value, rules)]];
  const rows = value as unknown[];
  if (rows.length === 0 || !rows.every((row) => Array.isArray(row) && row.length > 0)) {
    return [[cellError(ErrorCode.invalidValue)]];
  }
  const width = (rows as unknown[][]).reduce((widest, row) => Math.max(widest, row.length), 0);
  // Excel pads a ragged array with #N/A.
  return (rows as unknown[][]).map((row) =>
    Array.from({ length: width }, (_, column) =>
      column < row.length ? resultToCell(row[column], rules) : cellError(ErrorCode.notAvailable)
    )
  );
}

function resultToCell(value: unknown, rules: ResultRules): CellValue {
  if (value instanceof CustomFunctionError) return errorToCell(value);
  if (value instanceof Error) return cellError(ErrorCode.invalidValue);
  // Excel shows a null result as 0.
  if (value === null || value === undefined) return scalar(0);
  if (typeof value === "number") {
    return Number.isFinite(value) ? scalar(value) : cellError(ErrorCode.invalidNumber);
  }
  if (typeof value === "string" || typeof value === "boolean") return scalar(value);
  const entity = rules.entities ? toEntity(value) : undefined;
  return entity ? { kind: "entity", entity } : cellError(ErrorCode.invalidValue);
}

export function thrownToCells(reason: unknown): CellValue[][] {
  return [
    [
      reason instanceof CustomFunctionError
        ? errorToCell(reason)
        : cellError(ErrorCode.invalidValue),
    ],
  ];
}

function errorToCell(error: CustomFunctionError): CellValue {
  return cellError(error.code, CODES_WITH_MESSAGE.has(error.code) ? error.message : undefined);
}
