// What a cell shows. Shared by the host stand-in (which turns function results into these), the
// sheet (which spills and propagates them) and the grid (which paints them).

export type Scalar = number | string | boolean;

/** A property of an entity, as Excel's EntityCellValue holds it: a basic value with its type. */
export interface EntityProperty {
  type: string;
  basicValue?: unknown;
}

/** One section of a card: a list of property names, optionally titled. */
export interface CardSection {
  layout: string;
  title?: string;
  properties: string[];
}

/**
 * An Excel entity value (Excel.EntityCellValue), as a custom function returns it since
 * CustomFunctionsRuntime 1.4: the cell shows `text`, its card shows the layout's sections, and
 * `=A2.Name` reads a property.
 */
export interface EntityValue {
  type: "Entity";
  text: string;
  properties: Record<string, EntityProperty>;
  layouts?: {
    card?: {
      title?: string | { property: string };
      sections?: CardSection[];
    };
  };
  provider?: { description?: string; logoSourceAddress?: string; logoTargetAddress?: string };
}

export type CellValue =
  | { kind: "blank" }
  | { kind: "scalar"; value: Scalar }
  /** `message` is what Excel's error indicator shows; Excel keeps it for #VALUE! and #N/A only. */
  | { kind: "error"; code: string; message?: string }
  /** A custom function has not answered yet: Excel displays #BUSY!. */
  | { kind: "busy" }
  | { kind: "entity"; entity: EntityValue };

export const BLANK: CellValue = { kind: "blank" };
export const BUSY: CellValue = { kind: "busy" };

export function scalar(value: Scalar): CellValue {
  return { kind: "scalar", value };
}

export function cellError(code: string, message?: string): CellValue {
  return message ? { kind: "error", code, message } : { kind: "error", code };
}

/** The text a cell displays. Numbers keep full precision: the workbench is for checking them. */
export function displayText(value: CellValue): string {
  switch (value.kind) {
    case "blank":
      return "";
    case "busy":
      return "#BUSY!";
    case "error":
      return value.code;
    case "entity":
      return value.entity.text;
    case "scalar":
      return typeof value.value === "boolean"
        ? value.value
          ? "TRUE"
          : "FALSE"
        : String(value.value);
  }
}

/** A cell as the test hook reports it: JSON-friendly, and unambiguous about errors. An entity
 * is reported whole, as Excel's valuesAsJson gives it. */
export type CellSnapshot =
  Scalar | null | { error: string; message?: string } | { busy: true } | EntityValue;

export function snapshot(value: CellValue): CellSnapshot {
  switch (value.kind) {
    case "blank":
      return null;
    case "busy":
      return { busy: true };
    case "error":
      return value.message ? { error: value.code, message: value.message } : { error: value.code };
    case "entity":
      return value.entity;
    case "scalar":
      return value.value;
  }
}
