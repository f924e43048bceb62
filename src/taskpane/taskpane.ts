// The task pane's entry: small on purpose. In Excel's shared runtime this page also runs the
// custom functions, and they must register without waiting for the pane, so this file only
// starts listening to telemetry (so no event of a run is missed) and loads the pane's UI, Fluent
// and all, with import() as a chunk of its own. The map and the chart load later still.

import { subscribe } from "../runtime/telemetry";
import { isPaneEvent, PaneModel } from "./view-model";

/** What the telemetry has told the pane, from the moment this runtime started. */
const model = new PaneModel();
const listeners = new Set<() => void>();

subscribe((event: unknown) => {
  if (!isPaneEvent(event)) return;
  model.apply(event, Date.now());
  for (const listener of listeners) listener();
});

/**
 * Renders the pane into `root` (taskpane.html's #geobatch-pane, or a slot of the workbench page).
 * Resolves once it is on screen.
 */
export async function mountPane(root: HTMLElement): Promise<void> {
  const { Pane } = await import(/* webpackChunkName: "pane-ui" */ "./pane");
  const pane = new Pane(root, model);
  listeners.add(() => pane.schedule());
  pane.mount();
}

const paneRoot = globalThis.document?.getElementById("geobatch-pane");
if (paneRoot) void mountPane(paneRoot);
