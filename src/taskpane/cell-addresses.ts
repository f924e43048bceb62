// A1 cell addresses as invocation.address and Excel's selection give them ("Sheet1!B2",
// "'My sheet'!$B$2:C5"): parsed, compared and expanded into cells. Pure.

/** Compares cell references loosely: "Sheet1!$B$2" and "sheet1!b2" are one cell. */
export function normaliseAddress(address: string): string {
  return address.replace(/\$/g, "").replace(/'/g, "").toUpperCase();
}

interface Area {
  sheet: string | undefined;
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** "Sheet1!B2:C5", "'My sheet'!$B$2" or "B2" as an area; undefined when it is no A1 reference. */
export function parseArea(address: string): Area | undefined {
  const bang = address.lastIndexOf("!");
  const sheet = bang < 0 ? undefined : normaliseAddress(address.slice(0, bang));
  const match = /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$/.exec(
    normaliseAddress(address.slice(bang + 1))
  );
  if (!match) return undefined;
  const [, c1, r1, c2 = c1, r2 = r1] = match;
  const [left, right] = [columnNumber(c1), columnNumber(c2)].sort((a, b) => a - b);
  const [top, bottom] = [Number(r1), Number(r2)].sort((a, b) => a - b);
  return { sheet, top, left, bottom, right };
}

function columnNumber(letters: string): number {
  return [...letters].reduce((n, letter) => n * 26 + letter.charCodeAt(0) - 64, 0);
}

/** The cells (such as "Sheet1!B2") that lie inside any of the selected areas. */
export function cellsInSelection(cells: readonly string[], selection: readonly string[]): string[] {
  const areas = selection.map(parseArea).filter((area): area is Area => area !== undefined);
  return cells.filter((cell) => {
    const point = parseArea(cell);
    return (
      point !== undefined &&
      areas.some(
        (area) =>
          (area.sheet === undefined || point.sheet === undefined || area.sheet === point.sheet) &&
          point.top >= area.top &&
          point.top <= area.bottom &&
          point.left >= area.left &&
          point.left <= area.right
      )
    );
  });
}

/** 1 -> "A", 28 -> "AB". */
function columnLetters(column: number): string {
  let letters = "";
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/** "Sheet1!B2:C3" as its cells, row by row ("Sheet1!B2", "Sheet1!C2", "Sheet1!B3", …), with
 * the sheet name as given; [] when it is no A1 reference. */
export function cellsOfArea(address: string): string[] {
  const area = parseArea(address);
  if (!area) return [];
  const bang = address.lastIndexOf("!");
  const prefix = bang < 0 ? "" : address.slice(0, bang + 1);
  const cells: string[] = [];
  for (let row = area.top; row <= area.bottom; row++) {
    for (let column = area.left; column <= area.right; column++) {
      cells.push(`${prefix}${columnLetters(column)}${row}`);
    }
  }
  return cells;
}
