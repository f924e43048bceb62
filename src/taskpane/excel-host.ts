// The host adapter in Excel, with Office.js. Loaded only in Excel (resolveHost), so the workbench
// and the functions bundle never carry it. Not run by the tests here (no Excel): reviewed in code,
// and listed in the README as not verified here.

import { cellsOfArea } from "./cell-addresses";
import type { HostAdapter, HostValue } from "./host";

/** "Sheet1!B2" -> the worksheet and range; an address without a sheet is on the active one. */
function rangeOf(context: Excel.RequestContext, address: string): Excel.Range {
  const bang = address.lastIndexOf("!");
  if (bang < 0) return context.workbook.worksheets.getActiveWorksheet().getRange(address);
  const sheet = address.slice(0, bang).replace(/^'|'$/g, "").replace(/''/g, "'");
  return context.workbook.worksheets.getItem(sheet).getRange(address.slice(bang + 1));
}

/** Range.valuesAsJson (entities read and written as entities) came with ExcelApi 1.16. */
function entitiesSupported(): boolean {
  return Office.context?.requirements?.isSetSupported("ExcelApi", "1.16") ?? false;
}

export const excelHost: HostAdapter = {
  selectCell: (address) =>
    Excel.run(async (context) => {
      const range = rangeOf(context, address);
      range.worksheet.activate();
      range.select();
      await context.sync();
    }),

  // Setting a formula to itself makes Excel calculate the cell again (and call the function).
  recalculate: (addresses) =>
    Excel.run(async (context) => {
      const ranges = addresses.map((address) => {
        const range = rangeOf(context, address);
        range.load("formulas");
        return range;
      });
      await context.sync();
      for (const range of ranges) {
        const formulas = range.formulas;
        range.formulas = formulas;
      }
      await context.sync();
    }),

  // Only the used part of each selected area: a whole selected column is a million cells.
  selectedAddresses: () =>
    Excel.run(async (context) => {
      const areas = context.workbook.getSelectedRanges().areas;
      areas.load("items");
      await context.sync();
      const used = areas.items.map((area) => {
        const part = area.getUsedRangeOrNullObject(true);
        part.load("address");
        return part;
      });
      await context.sync();
      return used.flatMap((part) => (part.isNullObject ? [] : cellsOfArea(part.address)));
    }),

  // A cell another formula spills into shows that formula's value in Range.formulas: it reads ""
  // here, so only anchors count as formulas.
  readFormulas: (addresses) =>
    Excel.run(async (context) => {
      const reads = addresses.map((address) => {
        const range = rangeOf(context, address);
        const parent = range.getSpillParentOrNullObject();
        range.load("address, formulas");
        parent.load("address");
        return { range, parent };
      });
      await context.sync();
      return reads.map(({ range, parent }) =>
        !parent.isNullObject && parent.address !== range.address
          ? ""
          : String(range.formulas[0][0] ?? "")
      );
    }),

  readValues: (address) =>
    Excel.run(async (context) => {
      const range = rangeOf(context, address);
      const spill = range.getSpillingToRangeOrNullObject();
      spill.load("address");
      await context.sync();
      const block = spill.isNullObject ? range : spill;
      const withEntities = entitiesSupported();
      block.load(withEntities ? "valuesAsJson" : "values");
      await context.sync();
      return withEntities
        ? block.valuesAsJson.map((row) => row.map(fromCellValue))
        : block.values.map((row) => row.map(fromPlainValue));
    }),

  writeValues: (address, values) =>
    Excel.run(async (context) => {
      const origin = rangeOf(context, address);
      const range = origin.getResizedRange(values.length - 1, (values[0]?.length ?? 1) - 1);
      const hasEntity = values.some((row) => row.some((v) => typeof v === "object" && v !== null));
      if (hasEntity && entitiesSupported()) {
        range.valuesAsJson = values.map((row) => row.map(toCellValue));
      } else {
        // Where entities cannot be written, their text stays.
        range.values = values.map((row) => row.map(plainValue));
      }
      await context.sync();
    }),
};

/** Excel's JSON value as the adapter's: scalars as themselves, blanks as null. */
function fromCellValue(value: Excel.CellValue): HostValue {
  switch (value.type) {
    case "Double":
    case "String":
    case "Boolean":
      return value.basicValue as number | string | boolean;
    case "Empty":
      return null;
    default:
      return value as HostValue;
  }
}

function fromPlainValue(value: unknown): HostValue {
  if (value === "" || value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  const text = String(value);
  // Range.values shows errors as their text ("#N/A"): read as errors, so they are not frozen.
  return /^#[A-Z/0!?]+[!?]?$/.test(text) ? { type: "Error", basicValue: text } : text;
}

function toCellValue(value: HostValue): Excel.CellValue {
  if (value === null) return { type: Excel.CellValueType.empty, basicValue: "" };
  if (typeof value === "number") return { type: Excel.CellValueType.double, basicValue: value };
  if (typeof value === "boolean") return { type: Excel.CellValueType.boolean, basicValue: value };
  if (typeof value === "string") return { type: Excel.CellValueType.string, basicValue: value };
  return value as unknown as Excel.CellValue;
}

/** The value a cell shows, for hosts that cannot take entities. */
function plainValue(value: HostValue): string | number | boolean {
  if (value === null) return "";
  if (typeof value === "object") return value.text ?? String(value.basicValue ?? "");
  return value;
}
