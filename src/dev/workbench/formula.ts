// The workbench's formula language: one custom function call whose arguments are cell
// references or literals, such as =GEO.LOCATION(A2) or =GEO.LOCATION("11 Wall Street New York"),
// or one such value alone, such as =E2.Latitude or =E2.[Match type]: a field of the entity in
// E2, with Excel's brackets around a name that is not a plain word. That is all a sheet of
// geocoding formulas needs; it is not a spreadsheet engine.

import type { Scalar } from "./values";

/** Columns are A to Z; rows are 1-based in text and 0-based here. */
export interface CellRef {
  row: number;
  column: number;
}

export type FormulaArgument =
  | {
      kind: "reference";
      ref: CellRef;
      absoluteRow: boolean;
      absoluteColumn: boolean;
      /** Fields read in turn from the referenced entity: ["Latitude"] for E2.Latitude. */
      fields: string[];
    }
  | { kind: "literal"; value: Scalar }
  /** An argument left out between commas, as in =F(A1,,2). */
  | { kind: "missing" };

export interface Formula {
  /** As typed, such as "GEO.LOCATION"; resolved against the add-in's namespace later. Undefined
   * for a formula that is one value, such as =E2.Latitude: its only argument is that value. */
  functionName: string | undefined;
  args: FormulaArgument[];
}

export class FormulaSyntaxError extends Error {
  override readonly name = "FormulaSyntaxError";
}

export const MAX_COLUMNS = 26;

export function isFormula(input: string): boolean {
  return input.trimStart().startsWith("=");
}

export function columnName(column: number): string {
  return String.fromCharCode(65 + column);
}

/** "B2" for row 1, column 1. */
export function formatRef(ref: CellRef): string {
  return `${columnName(ref.column)}${ref.row + 1}`;
}

/** "B2" or "$B$2" to a reference; undefined when the text is not one. */
export function parseRef(text: string): CellRef | undefined {
  const match = /^\$?([A-Z])\$?([1-9][0-9]{0,6})$/i.exec(text.trim());
  if (!match) return undefined;
  return { column: match[1].toUpperCase().charCodeAt(0) - 65, row: Number(match[2]) - 1 };
}

/** "A2:C11" (or a single cell) to its top-left and bottom-right corners. */
export function parseRange(text: string): { start: CellRef; end: CellRef } | undefined {
  const [first, second = first] = text.split(":");
  const a = parseRef(first);
  const b = parseRef(second);
  if (!a || !b) return undefined;
  return {
    start: { row: Math.min(a.row, b.row), column: Math.min(a.column, b.column) },
    end: { row: Math.max(a.row, b.row), column: Math.max(a.column, b.column) },
  };
}

const REFERENCE = /^(\$?)([A-Z])(\$?)([1-9][0-9]{0,6})((?:\.[^.[\]]+|\.\[[^\]]+\])*)$/i;
/** One field after a reference: .Name (a plain word) or .[Any name] (Excel's brackets). */
const FIELD = /\.(?:\[([^\]]+)\]|([A-Z_][A-Z0-9_]*))/giy;
const PLAIN_FIELD = /^[A-Z_][A-Z0-9_]*$/i;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function parseFormula(input: string): Formula {
  const text = input.trim();
  const call = /^=\s*([A-Z_][A-Z0-9_.]*)\s*\(([\s\S]*)\)$/i.exec(text);
  if (!call) {
    const value = text.slice(1).trim();
    const arg = value ? parseArgumentOrUndefined(value) : undefined;
    if (!arg) {
      throw new FormulaSyntaxError(
        "Write a function call, such as =GEO.LOCATION(A2), or a cell's field, such as =E2.Latitude"
      );
    }
    return { functionName: undefined, args: [arg] };
  }
  const body = call[2];
  return {
    functionName: call[1],
    args: body.trim() ? splitArguments(body).map(parseArgument) : [],
  };
}

/** Splits on commas outside double-quoted strings ("" inside a string is a quote) and outside
 * bracketed field names. */
function splitArguments(body: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  let bracketed = false;
  for (const char of body) {
    if (char === '"' && !bracketed) quoted = !quoted;
    if (!quoted && (char === "[" || char === "]")) bracketed = char === "[";
    if (char === "," && !quoted && !bracketed) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (quoted) throw new FormulaSyntaxError("A text argument is missing its closing quote");
  parts.push(current);
  return parts;
}

function parseArgument(raw: string): FormulaArgument {
  const text = raw.trim();
  if (text === "") return { kind: "missing" };
  const arg = parseArgumentOrUndefined(text);
  if (!arg) throw new FormulaSyntaxError(`Not a cell, a field, a number or "text": ${text}`);
  return arg;
}

function parseArgumentOrUndefined(text: string): FormulaArgument | undefined {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    const inner = text.slice(1, -1);
    if (inner.replaceAll('""', "").includes('"')) {
      throw new FormulaSyntaxError(`Quotes inside text are written twice: ${text}`);
    }
    return { kind: "literal", value: inner.replaceAll('""', '"') };
  }
  if (NUMBER.test(text)) return { kind: "literal", value: Number(text) };
  if (/^(TRUE|FALSE)$/i.test(text)) return { kind: "literal", value: /^TRUE$/i.test(text) };
  const reference = REFERENCE.exec(text);
  if (!reference) return undefined;
  const fields = parseFields(reference[5]);
  if (!fields) return undefined;
  return {
    kind: "reference",
    ref: { column: reference[2].toUpperCase().charCodeAt(0) - 65, row: Number(reference[4]) - 1 },
    absoluteColumn: reference[1] === "$",
    absoluteRow: reference[3] === "$",
    fields,
  };
}

/** ".Latitude.[Match type]" to its names; undefined when a name needs brackets it lacks. */
function parseFields(text: string): string[] | undefined {
  const fields: string[] = [];
  FIELD.lastIndex = 0;
  while (FIELD.lastIndex < text.length) {
    const match = FIELD.exec(text);
    if (!match) return undefined;
    fields.push((match[1] ?? match[2]).trim());
  }
  return fields;
}

export function formatFormula(formula: Formula): string {
  if (formula.functionName === undefined) return `=${formula.args.map(formatArgument).join("")}`;
  return `=${formula.functionName}(${formula.args.map(formatArgument).join(", ")})`;
}

function formatArgument(arg: FormulaArgument): string {
  switch (arg.kind) {
    case "missing":
      return "";
    case "literal":
      if (typeof arg.value === "string") return `"${arg.value.replaceAll('"', '""')}"`;
      if (typeof arg.value === "boolean") return arg.value ? "TRUE" : "FALSE";
      return String(arg.value);
    case "reference":
      return (
        (arg.absoluteColumn ? "$" : "") +
        columnName(arg.ref.column) +
        (arg.absoluteRow ? "$" : "") +
        String(arg.ref.row + 1) +
        arg.fields.map((field) => (PLAIN_FIELD.test(field) ? `.${field}` : `.[${field}]`)).join("")
      );
  }
}

/** The formula as Excel's fill handle would write it `rows` further down: relative row
 * references move, absolute ($) ones stay. Undefined when a reference would leave the sheet. */
export function shiftFormula(formula: Formula, rows: number): Formula | undefined {
  const args: FormulaArgument[] = [];
  for (const arg of formula.args) {
    if (arg.kind !== "reference" || arg.absoluteRow) {
      args.push(arg);
      continue;
    }
    const row = arg.ref.row + rows;
    if (row < 0) return undefined;
    args.push({ ...arg, ref: { row, column: arg.ref.column } });
  }
  return { functionName: formula.functionName, args };
}

/** The value typed into a cell that is not a formula: a number, TRUE/FALSE, or text. */
export function parseLiteral(input: string): Scalar {
  const text = input.trim();
  if (NUMBER.test(text)) return Number(text);
  if (/^(TRUE|FALSE)$/i.test(text)) return /^TRUE$/i.test(text);
  return input;
}
