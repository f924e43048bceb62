// The grid: paints the sheet and turns mouse, keyboard and clipboard into sheet edits.
//
// Only the rows in view exist in the DOM (a fixed pool of row elements is moved and refilled as
// the viewport scrolls), and repaints happen at most once per animation frame however many cells
// changed, so a 10,000-row sheet whose cells all answer at once stays responsive.

import { type CellRef, columnName, formatRef } from "./formula";
import type { Sheet } from "./sheet";
import { type CellValue, displayText } from "./values";

export interface GridOptions {
  sheet: Sheet;
  /** Called after the selection moved. */
  onSelect: () => void;
  /** Called when the user starts typing into the active cell; `text` is the first keystroke. */
  onEdit: (text?: string) => void;
}

export interface CellRange {
  start: CellRef;
  end: CellRef;
}

const ROW_HEIGHT = 24;
/** Rows shown past the last used one, so there is always room to type or paste below. */
const SPARE_ROWS = 50;
const MIN_ROWS = 100;

export class Grid {
  readonly element: HTMLElement;
  private readonly sheet: Sheet;
  private readonly options: GridOptions;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowLayer: HTMLElement;
  private rowPool: HTMLElement[] = [];
  /** The sheet row the first pooled row element shows. */
  private firstRow = 0;
  private frameRequested = false;
  private anchor: CellRef = { row: 0, column: 0 };
  private focus: CellRef = { row: 0, column: 0 };
  private dragging = false;

  constructor(options: GridOptions) {
    this.options = options;
    this.sheet = options.sheet;
    this.element = element("div", "grid");
    this.element.tabIndex = 0;
    this.element.setAttribute("role", "grid");
    this.element.setAttribute("aria-label", "Sheet1");
    this.element.style.setProperty("--columns", String(this.sheet.columns));
    this.element.style.setProperty("--row-height", `${ROW_HEIGHT}px`);

    this.viewport = element("div", "grid-viewport");
    const header = element("div", "grid-row grid-header");
    header.append(element("div", "grid-corner"));
    for (let column = 0; column < this.sheet.columns; column++) {
      header.append(element("div", "grid-column-name", columnName(column)));
    }
    this.spacer = element("div", "grid-spacer");
    this.rowLayer = element("div", "grid-rows");
    this.spacer.append(this.rowLayer);
    this.viewport.append(header, this.spacer);
    this.element.append(this.viewport);

    this.sheet.subscribe(() => this.invalidate());
    this.viewport.addEventListener("scroll", () => this.invalidate(), { passive: true });
    new ResizeObserver(() => this.invalidate()).observe(this.viewport);
    this.listen();
    this.invalidate();
  }

  /** The cell the formula bar edits. */
  get activeCell(): CellRef {
    return this.anchor;
  }

  get selection(): CellRange {
    return {
      start: {
        row: Math.min(this.anchor.row, this.focus.row),
        column: Math.min(this.anchor.column, this.focus.column),
      },
      end: {
        row: Math.max(this.anchor.row, this.focus.row),
        column: Math.max(this.anchor.column, this.focus.column),
      },
    };
  }

  select(ref: CellRef, extend = false): void {
    const clamped = {
      row: Math.max(0, ref.row),
      column: Math.min(Math.max(0, ref.column), this.sheet.columns - 1),
    };
    this.focus = clamped;
    if (!extend) this.anchor = clamped;
    this.scrollIntoView(clamped);
    this.invalidate();
    this.options.onSelect();
  }

  /** Repaints on the next animation frame; any number of calls before it cost one repaint. */
  invalidate(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.render();
    });
  }

  private get rowCount(): number {
    return Math.max(MIN_ROWS, this.sheet.usedRows + SPARE_ROWS, this.focus.row + SPARE_ROWS);
  }

  private render(): void {
    const rowCount = this.rowCount;
    this.spacer.style.height = `${rowCount * ROW_HEIGHT}px`;
    this.ensurePool(Math.ceil(this.viewport.clientHeight / ROW_HEIGHT) + 1);
    const firstRow = Math.floor(this.viewport.scrollTop / ROW_HEIGHT);
    this.firstRow = firstRow;
    this.rowLayer.style.transform = `translateY(${firstRow * ROW_HEIGHT}px)`;
    const { start, end } = this.selection;
    for (const [offset, rowElement] of this.rowPool.entries()) {
      const row = firstRow + offset;
      rowElement.hidden = row >= rowCount;
      if (row >= rowCount) continue;
      const cells = rowElement.children;
      setText(cells[0] as HTMLElement, String(row + 1));
      for (let column = 0; column < this.sheet.columns; column++) {
        const cell = cells[column + 1] as HTMLElement;
        const ref = { row, column };
        const value = this.sheet.value(ref);
        const input = this.sheet.input(ref);
        setText(cell, displayText(value));
        const selected =
          row >= start.row && row <= end.row && column >= start.column && column <= end.column;
        const active = row === this.anchor.row && column === this.anchor.column;
        const className = cellClass(value, input, selected, active);
        if (cell.className !== className) cell.className = className;
        const title =
          value.kind === "error"
            ? (value.message ?? "")
            : value.kind === "entity"
              ? "Holds a card: select the cell to open it"
              : "";
        if (cell.title !== title) cell.title = title;
      }
    }
  }

  private ensurePool(size: number): void {
    while (this.rowPool.length < size) {
      const row = element("div", "grid-row");
      row.append(element("div", "grid-row-name"));
      for (let column = 0; column < this.sheet.columns; column++) {
        const cell = element("div", "cell");
        cell.dataset.column = String(column);
        cell.dataset.offset = String(this.rowPool.length);
        row.append(cell);
      }
      this.rowLayer.append(row);
      this.rowPool.push(row);
    }
  }

  /** Rows sit below the sticky column header, so row r spans (r+1)..(r+2) row heights. */
  private scrollIntoView(ref: CellRef): void {
    const scrollTop = this.viewport.scrollTop;
    if (ref.row * ROW_HEIGHT < scrollTop) {
      this.viewport.scrollTop = ref.row * ROW_HEIGHT;
    } else if ((ref.row + 2) * ROW_HEIGHT > scrollTop + this.viewport.clientHeight) {
      this.viewport.scrollTop = (ref.row + 2) * ROW_HEIGHT - this.viewport.clientHeight;
    }
  }

  /** The cell under a pointer event, from the pooled element it hit. */
  private cellAt(target: EventTarget | null): CellRef | undefined {
    const cell = (target as HTMLElement | null)?.closest?.<HTMLElement>(".cell");
    if (!cell || !this.rowLayer.contains(cell)) return undefined;
    return {
      row: this.firstRow + Number(cell.dataset.offset),
      column: Number(cell.dataset.column),
    };
  }

  private listen(): void {
    this.element.addEventListener("mousedown", (event) => {
      const ref = this.cellAt(event.target);
      if (!ref) return;
      event.preventDefault();
      this.element.focus();
      this.dragging = true;
      this.select(ref, event.shiftKey);
    });
    this.element.addEventListener("mousemove", (event) => {
      if (!this.dragging || event.buttons !== 1) return;
      const ref = this.cellAt(event.target);
      if (ref && (ref.row !== this.focus.row || ref.column !== this.focus.column)) {
        this.select(ref, true);
      }
    });
    window.addEventListener("mouseup", () => (this.dragging = false));
    this.element.addEventListener("dblclick", (event) => {
      if (this.cellAt(event.target)) this.options.onEdit();
    });
    this.element.addEventListener("keydown", (event) => this.onKey(event));
    this.element.addEventListener("paste", (event) => {
      const text = event.clipboardData?.getData("text/plain");
      if (text === undefined) return;
      event.preventDefault();
      this.sheet.setInputs(this.activeCell, parseClipboard(text));
      this.options.onSelect();
    });
    this.element.addEventListener("copy", (event) => {
      const { start, end } = this.selection;
      const lines: string[] = [];
      for (let row = start.row; row <= end.row; row++) {
        const values: string[] = [];
        for (let column = start.column; column <= end.column; column++) {
          values.push(displayText(this.sheet.value({ row, column })));
        }
        lines.push(values.join("\t"));
      }
      event.clipboardData?.setData("text/plain", lines.join("\n"));
      event.preventDefault();
    });
  }

  private onKey(event: KeyboardEvent): void {
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
      Tab: [0, 1],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      const from = event.shiftKey && event.key !== "Tab" ? this.focus : this.anchor;
      this.select(
        { row: from.row + move[0], column: from.column + move[1] },
        event.shiftKey && event.key !== "Tab"
      );
    } else if (event.key === "Enter" || event.key === "F2") {
      event.preventDefault();
      this.options.onEdit();
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      const { start, end } = this.selection;
      this.sheet.clear(start, end);
      this.options.onSelect();
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      this.options.onEdit(event.key);
    }
  }
}

/** Spreadsheet clipboard text: rows on lines, cells split by tabs; a final newline ends the
 * last row rather than adding an empty one. */
export function parseClipboard(text: string): string[][] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => line.split("\t"));
}

export function describeCell(ref: CellRef, value: CellValue): string {
  const address = formatRef(ref);
  switch (value.kind) {
    case "busy":
      return `${address} is waiting for its function to answer.`;
    case "error":
      return value.message
        ? `${address}: ${value.code} ${value.message}`
        : `${address}: ${value.code}`;
    default:
      return "";
  }
}

function cellClass(value: CellValue, input: string, selected: boolean, active: boolean): string {
  let className = "cell";
  if (value.kind === "error") className += " cell-error";
  else if (value.kind === "busy") className += " cell-busy";
  else if (value.kind === "entity") className += " cell-entity";
  else if (value.kind === "scalar" && typeof value.value !== "string") className += " cell-number";
  if (input === "" && value.kind !== "blank") className += " cell-spilled";
  if (selected) className += " cell-selected";
  if (active) className += " cell-active";
  return className;
}

function setText(target: HTMLElement, text: string): void {
  if (target.textContent !== text) target.textContent = text;
}

function element(tag: string, className: string, text?: string): HTMLElement {
  const created = document.createElement(tag);
  created.className = className;
  if (text !== undefined) created.textContent = text;
  return created;
}
