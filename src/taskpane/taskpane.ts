// The GeoBatch pane: the API key form and a view of recent batches. It writes settings and
// listens to telemetry; it never reaches into the batcher.
//
// mountPane renders it into any element: taskpane.html's #geobatch-pane in Excel, and the
// workbench's side panel, which loads this bundle after functions.js into the same page, so the
// pane shares the functions' runtime there as it does in Excel's shared runtime.
//
// The form must work in any host, a plain browser included: there Office.onReady resolves with
// no host and OfficeRuntime is undefined; where office.js could not load at all there is no
// Office object, and where it loaded but its follow-up files did not, onReady never fires. So
// the form is wired at once, and only reading the saved key waits (briefly) for Office.

import { geocoder, settings } from "../runtime/runtime";
import { subscribe, type TelemetryEvent } from "../runtime/telemetry";

/** Batches listed in the pane; older ones scroll away. */
const BATCHES_SHOWN = 8;

/** The pane's markup: static, nothing from a sheet is ever part of it. */
const PANE_MARKUP = `
  <section>
    <h1>GeoBatch</h1>
    <p>Type <code>=GEO.LOCATION(A2)</code> beside an address: latitude and longitude fill the cell
      and the one to its right.</p>
  </section>
  <section>
    <form id="settings-form">
      <label for="api-key">API key</label>
      <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false"
        placeholder="Your Geoapify API key" />
      <button type="submit">Save</button>
      <div id="status" role="status" aria-live="polite"></div>
    </form>
    <p>Get a free key at myprojects.geoapify.com (3,000 credits a day; each address costs half a
      credit).</p>
  </section>
  <section>
    <h2 style="font-size: 14px; margin: 0">Recent batches</h2>
    <ol id="batches" reversed></ol>
    <button id="clear-cache" type="button" class="secondary">Clear cached results</button>
  </section>`;

async function describeKey(showStatus: (message: string) => void): Promise<void> {
  const endpoint = await settings.endpoint();
  if (!endpoint) {
    showStatus("No API key saved yet: cells will ask for one.");
  } else if (endpoint.emulated) {
    showStatus("No API key saved: this dev build answers from the built-in emulator.");
  } else {
    showStatus("An API key is saved.");
  }
}

/** How long the pane waits for Office.onReady before reading settings without it. */
const OFFICE_READY_WAIT_MS = 2000;

function officeReady(): Promise<unknown> {
  if (typeof Office === "undefined") return Promise.resolve();
  return Promise.race([
    Office.onReady(),
    new Promise((resolve) => setTimeout(resolve, OFFICE_READY_WAIT_MS)),
  ]);
}

/** Renders the pane into `root` and wires it to the runtime's settings and telemetry. */
export function mountPane(root: HTMLElement): void {
  root.innerHTML = PANE_MARKUP;
  const element = <T extends HTMLElement>(id: string) => root.querySelector(`#${id}`) as T;
  const showStatus = (message: string, isError = false) => {
    const status = element("status");
    status.textContent = message;
    status.classList.toggle("error", isError);
  };

  const keyInput = element<HTMLInputElement>("api-key");
  void officeReady().then(async () => {
    // A key typed before the saved one was read wins.
    keyInput.value ||= await settings.apiKey();
    await describeKey(showStatus);
  });

  element<HTMLFormElement>("settings-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await settings.setApiKey(keyInput.value);
      showStatus(
        keyInput.value.trim()
          ? "Saved. Recalculate (Ctrl+Alt+F9) to geocode with this key."
          : "API key removed."
      );
    } catch {
      showStatus("Could not save the key: storage is unavailable here.", true);
    }
  });

  element("clear-cache").addEventListener("click", async () => {
    await geocoder.clearCache();
    showStatus("Cached results cleared.");
  });

  const list = element<HTMLOListElement>("batches");
  subscribe((event) => {
    const line = describeBatch(event);
    if (!line) return;
    const item = document.createElement("li");
    item.textContent = line;
    list.prepend(item);
    list.querySelectorAll(`li:nth-child(n + ${BATCHES_SHOWN + 1})`).forEach((old) => old.remove());
  });
}

function describeBatch(event: TelemetryEvent): string | undefined {
  switch (event.type) {
    case "settled":
      return event.error
        ? `${event.size} addresses failed: ${event.error}`
        : `${event.size} addresses in ${Math.round(event.durationMs)} ms` +
            (event.rejected ? ` (${event.rejected} errors)` : "");
    case "cache":
      return `${event.hits} cells answered from the cache`;
    default:
      return undefined;
  }
}

const pageRoot = document.getElementById("geobatch-pane");
if (pageRoot) mountPane(pageRoot);
