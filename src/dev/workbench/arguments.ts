// How a value reaches a custom function's parameter, and when a cell's value has changed: the
// rules of Excel's calculation that the sheet applies to every argument and every answer.

import { ErrorCode, type ParameterMetadata } from "./host";
import { parseLiteral } from "./formula";
import type { CellValue } from "./values";

export function sameValue(a: CellValue, b: CellValue): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "scalar" && b.kind === "scalar") return Object.is(a.value, b.value);
  if (a.kind === "error" && b.kind === "error") {
    return a.code === b.code && a.message === b.message;
  }
  // A new entity is a new value even when it reads the same: its dependants read it again.
  if (a.kind === "entity" && b.kind === "entity") return a.entity === b.entity;
  return true;
}

/**
 * An argument as Excel hands it to a parameter of the declared type. For "any", an empty cell is
 * null, as in Excel on the web (desktop Excel passes 0), and an entity arrives whole; a value
 * Excel cannot convert to the declared type is #VALUE! and the function is not called.
 */
export function coerce(
  value: CellValue,
  parameter: ParameterMetadata
): { kind: "ok"; value: unknown } | Extract<CellValue, { kind: "error" }> {
  if (value.kind === "entity") {
    if (parameter.type === "string") return { kind: "ok", value: value.entity.text };
    if (parameter.type === "number" || parameter.type === "boolean") {
      return { kind: "error", code: ErrorCode.invalidValue };
    }
    return { kind: "ok", value: structuredClone(value.entity) };
  }
  const raw = value.kind === "scalar" ? value.value : undefined;
  switch (parameter.type) {
    case "string":
      if (raw === undefined) return { kind: "ok", value: "" };
      if (typeof raw === "boolean") return { kind: "ok", value: raw ? "TRUE" : "FALSE" };
      return { kind: "ok", value: String(raw) };
    case "number": {
      if (raw === undefined) return { kind: "ok", value: 0 };
      if (typeof raw === "boolean") return { kind: "ok", value: raw ? 1 : 0 };
      const number = typeof raw === "number" ? raw : parseLiteral(raw);
      return typeof number === "number"
        ? { kind: "ok", value: number }
        : { kind: "error", code: ErrorCode.invalidValue };
    }
    case "boolean": {
      if (raw === undefined) return { kind: "ok", value: false };
      if (typeof raw === "number") return { kind: "ok", value: raw !== 0 };
      const flag = typeof raw === "boolean" ? raw : parseLiteral(raw);
      return typeof flag === "boolean"
        ? { kind: "ok", value: flag }
        : { kind: "error", code: ErrorCode.invalidValue };
    }
    default:
      return { kind: "ok", value: raw ?? null };
  }
}
