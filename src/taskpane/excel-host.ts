// The host adapter in Excel, with Office.js. Loaded only in Excel (resolveHost), so the workbench
// and the functions bundle never carry it. Not run by the tests here (no Excel): reviewed in code.

import type { CellValue, HostAdapter, RangeContent } from "./host-adapter";

/** "Sheet1!B2" -> the worksheet and range; an address without a sheet is on the active one. */
function rangeOf(context: Excel.RequestContext, address: string): Excel.Range {
  const bang = address.lastIndexOf("!");
  if (bang < 0) return context.workbook.worksheets.getActiveWorksheet().getRange(address);
  const sheet = address.slice(0, bang).replace(/^'|'$/g, "").replace(/''/g, "'");
  return context.workbook.worksheets.getItem(sheet).getRange(address.slice(bang + 1));
}

/** Entities (data types) can be written back as entities from ExcelApi 1.16 on. */
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

  selectedAddresses: () =>
    Excel.run(async (context) => {
      const areas = context.workbook.getSelectedRanges();
      areas.load("address");
      await context.sync();
      return areas.address.split(",");
    }),

  // A spill anchor reads as its whole spill, so freezing it keeps every spilled value.
  readFormulas: (addresses) =>
    Excel.run(async (context) => {
      const withEntities = entitiesSupported();
      const reads = addresses.map((address) => {
        const range = rangeOf(context, address);
        const spill = range.getSpillingToRangeOrNullObject();
        range.load("address, formulas");
        spill.load("address");
        return { range, spill };
      });
      await context.sync();
      const blocks = reads.map(({ range, spill }) => {
        const block = spill.isNullObject ? range : spill;
        block.load(
          withEntities ? "address, formulas, values, valuesAsJson" : "address, formulas, values"
        );
        return { anchor: range, block, spilled: !spill.isNullObject };
      });
      await context.sync();
      return blocks.map(({ anchor, block, spilled }): RangeContent => {
        const values: CellValue[][] = withEntities ? block.valuesAsJson : block.values;
        // The spill's cells other than the anchor hold no formula of their own.
        const formulas = spilled
          ? block.formulas.map((row, r) =>
              row.map((f, c) => (r === 0 && c === 0 ? anchor.formulas[0][0] : f))
            )
          : block.formulas;
        return { address: block.address, formulas, values };
      });
    }),

  writeValues: (address, values) =>
    Excel.run(async (context) => {
      const range = rangeOf(context, address);
      const hasEntity = values.some((row) => row.some((v) => typeof v === "object" && v !== null));
      if (hasEntity && entitiesSupported()) {
        range.valuesAsJson = values as Excel.CellValue[][];
      } else {
        // Where entities cannot be written, their text (or basic value) stays.
        range.values = values.map((row) => row.map(plainValue));
      }
      await context.sync();
    }),
};

/** The value a cell shows, for hosts that cannot take entities. */
function plainValue(value: CellValue): string | number | boolean {
  if (typeof value === "object" && value !== null) {
    const cell = value as { text?: string; basicValue?: string | number | boolean };
    return cell.basicValue ?? cell.text ?? "";
  }
  return value as string | number | boolean;
}
