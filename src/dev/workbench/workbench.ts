// The workbench page: the add-in's production functions.js running in a browser, inside a
// stand-in for Excel's custom-functions host, with a grid to type formulas into, a live log
// of the batches it sends, the card of a cell holding an entity, and the add-in's own task pane.
//
// workbench.html loads office.js, then this bundle, then /functions.js and /taskpane.js. This
// bundle must define CustomFunctions before functions.js runs, so the host is installed
// synchronously at load; the rest (functions.json, the manifest, the sample sheet) follows
// asynchronously, and calls made before functions.js has associated its functions wait for it.
// The pane does in the workbench what it does in Excel through the host adapter this page puts
// on globalThis.geobatchHost (pane-host.ts).

import { subscribe } from "../../runtime/telemetry";
import { BatchLog } from "./batch-log";
import { CardPanel } from "./card-panel";
import { EmulatorControls, emulatorBase } from "./emulator-controls";
import { type CellRef, formatRef, isFormula, parseRange, parseRef } from "./formula";
import { Grid, describeCell } from "./grid";
import { applyDevPreset } from "./dev-preset";
import { CustomFunctionsHost } from "./host";
import { WorkbenchHost } from "./pane-host";
import { SettingsStrip } from "./settings-strip";
import { Sheet } from "./sheet";
import { type CellSnapshot, snapshot } from "./values";
import css from "./workbench.css";

/** The article's ten addresses: the sheet a first visit shows (unless ?sheet=empty). */
const SAMPLE_ADDRESSES = [
  "1600 Pennsylvania Avenue Washington DC",
  "11 Wall Street New York",
  "350 Fifth Avenue New York",
  "221B Baker St London",
  "Tour Eiffel Champ de Mars Paris",
  "4059 Mt Lee Dr Hollywood",
  "Buckingham Palace London",
  "Statue of Liberty New York",
  "Manger Square Bethlehem",
  "2 Macquarie Street Sydney",
];

/** Where Fill down copies from when the active cell holds no formula. */
const FILL_SOURCE: CellRef = { row: 1, column: 1 };

const host = new CustomFunctionsHost();
host.install();

const sheet = new Sheet({ host });
const log = new BatchLog();
subscribe((event) => log.handle(event));

const style = document.createElement("style");
style.textContent = css;
document.head.append(style);

const ready = applyDevPreset().then(() =>
  host.load({ metadataUrl: "/functions.json", manifestUrl: "/manifest.xml" })
);
buildPage();

/** What the end-to-end tests drive the page with: the same operations as the UI, minus the
 * clicking, plus a view of the host's counters. */
export interface WorkbenchTestHook {
  /** Resolves once functions.json and the manifest are read (and the sample sheet is typed). */
  ready: Promise<void>;
  setCell(address: string, input: string): void;
  /** Pastes a block of inputs with its top-left corner at `address`. */
  setCells(address: string, rows: string[][]): void;
  clear(range: string): void;
  /** Fill down from `address` (default B2); returns the cells written. */
  fillDown(address?: string): number;
  recalculate(): void;
  read(range: string): CellSnapshot[][];
  /** Resolves when no cell is #BUSY!; rejects after `timeoutMs` saying how many still are. */
  waitForIdle(timeoutMs: number): Promise<void>;
  hostStats: CustomFunctionsHost["stats"];
  batches: BatchLog["rows"];
  logTotals: BatchLog["totals"];
  afterNextTask: CustomFunctionsHost["afterNextTask"];
}

declare global {
  interface Window {
    __workbench: WorkbenchTestHook;
  }
}

function buildPage(): void {
  const status = document.getElementById("workbench-status") as HTMLElement;
  const nameBox = document.getElementById("name-box") as HTMLOutputElement;
  const formulaInput = document.getElementById("formula") as HTMLInputElement;
  const cellDetail = document.getElementById("cell-detail") as HTMLElement;

  const grid = new Grid({
    sheet,
    onSelect: () => showActiveCell(),
    onEdit: (text) => {
      if (text !== undefined) formulaInput.value = text;
      formulaInput.focus();
    },
  });
  document.getElementById("grid-slot")?.replaceWith(grid.element);
  document.getElementById("settings-slot")?.replaceWith(new SettingsStrip().element);
  document.getElementById("log-slot")?.replaceWith(log.element);
  const card = new CardPanel();
  document.getElementById("card-slot")?.replaceWith(card.element);
  const emulator = emulatorBase();
  if (emulator) {
    document.getElementById("emulator-slot")?.replaceWith(new EmulatorControls(emulator).element);
  }
  globalThis.geobatchHost = new WorkbenchHost(sheet, grid);

  function showActiveCell(): void {
    const active = grid.activeCell;
    const value = sheet.value(active);
    nameBox.value = formatRef(active);
    if (document.activeElement !== formulaInput) formulaInput.value = sheet.input(active);
    cellDetail.textContent = describeCell(active, value);
    card.show(formatRef(active), value.kind === "entity" ? value.entity : undefined);
  }

  formulaInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const active = grid.activeCell;
      sheet.setInput(active, formulaInput.value);
      grid.element.focus();
      grid.select({ row: active.row + 1, column: active.column });
    } else if (event.key === "Escape") {
      formulaInput.value = sheet.input(grid.activeCell);
      grid.element.focus();
    }
  });

  document.getElementById("recalculate")?.addEventListener("click", () => sheet.recalculate());
  document.getElementById("fill-down")?.addEventListener("click", () => {
    const source = isFormula(sheet.input(grid.activeCell)) ? grid.activeCell : FILL_SOURCE;
    const written = sheet.fillDown(source);
    status.textContent = `Filled ${written} cells from ${formatRef(source)}.`;
  });
  document.getElementById("clear")?.addEventListener("click", () => {
    const { start, end } = grid.selection;
    sheet.clear(start, end);
    showActiveCell();
  });

  const updateStatus = () => {
    const waiting = host.unassociated();
    const busy = sheet.busyCells;
    status.textContent =
      (busy ? `${busy} cells #BUSY!` : "Idle") +
      (waiting.length ? ` · functions.js has not associated ${waiting.join(", ")} yet` : "");
    showActiveCell();
  };
  sheet.subscribe(updateStatus);

  const sheetReady = ready.then(
    () => {
      if (new URLSearchParams(location.search).get("sheet") !== "empty") typeSampleSheet();
      updateStatus();
    },
    (error: Error) => {
      status.textContent = `The add-in could not be loaded: ${error.message}`;
      status.classList.add("status-error");
      throw error;
    }
  );
  window.__workbench = testHook(sheetReady);
  grid.select({ row: 1, column: 1 });
}

function typeSampleSheet(): void {
  sheet.setInputs({ row: 0, column: 0 }, [["Address", "Latitude", "Longitude"]]);
  SAMPLE_ADDRESSES.forEach((address, index) => {
    const row = index + 1;
    sheet.setInputs({ row, column: 0 }, [[address, `=GEO.LOCATION(A${row + 1})`]]);
  });
}

function testHook(sheetReady: Promise<void>): WorkbenchTestHook {
  const ref = (address: string) => {
    const parsed = parseRef(address);
    if (!parsed) throw new Error(`Not a cell address: ${address}`);
    return parsed;
  };
  const range = (text: string) => {
    const parsed = parseRange(text);
    if (!parsed) throw new Error(`Not a range: ${text}`);
    return parsed;
  };
  return {
    ready: sheetReady,
    setCell: (address, input) => sheet.setInput(ref(address), input),
    setCells: (address, rows) => sheet.setInputs(ref(address), rows),
    clear: (text) => {
      const { start, end } = range(text);
      sheet.clear(start, end);
    },
    fillDown: (address = formatRef(FILL_SOURCE)) => sheet.fillDown(ref(address)),
    recalculate: () => sheet.recalculate(),
    read: (text) => {
      const { start, end } = range(text);
      const rows: CellSnapshot[][] = [];
      for (let row = start.row; row <= end.row; row++) {
        const values: CellSnapshot[] = [];
        for (let column = start.column; column <= end.column; column++) {
          values.push(snapshot(sheet.value({ row, column })));
        }
        rows.push(values);
      }
      return rows;
    },
    waitForIdle: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${sheet.busyCells} cells still #BUSY! after ${timeoutMs} ms`)),
          timeoutMs
        );
        void sheet.whenIdle().then(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    hostStats: () => host.stats(),
    batches: () => log.rows(),
    logTotals: () => log.totals(),
    afterNextTask: (callback) => host.afterNextTask(callback),
  };
}
