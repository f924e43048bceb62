// The pane by keyboard alone: Tab and Shift+Tab reach every action in reading order with a
// visible focus ring, Enter and Space act, and the freeze dialog takes focus, closes on Escape
// and gives focus back to its opener. No mouse event is sent in this file.

import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { auditTree, axeFindings } from "./a11y-support";
import { useE2E } from "./harness";
import { geocodedRun, SCENE_CELLS } from "./pane-scenes";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 } });

/** More Tab presses than the pane has controls: the walk ends when focus leaves the pane. */
const MAX_TABS = 80;

/** The control that has focus (a shadow host stands for its inner part), and its ring. */
interface Stop {
  control: string;
  inPane: boolean;
  /** The rendered styles that can draw a focus ring, of the control and its shadow parts. */
  ring: string;
}

/**
 * Gives the page `__paneControls`: the name of a pane control (its id, else its label, else its
 * tag and index among its kind, "fluent-accordion-item:0", so controls added later without an id
 * stay distinct), the control of a name, and the styles that can draw its focus ring.
 */
function installPaneControls(page: Page): Promise<void> {
  return page.evaluate(() => {
    const pane = document.getElementById("geobatch-pane") as HTMLElement;
    const nameOf = (control: Element) =>
      control.id ||
      control.getAttribute("aria-label") ||
      `${control.localName}:${[...pane.querySelectorAll(control.localName)].indexOf(control)}`;
    const find = (name: string): Element | undefined => {
      const byName = pane.querySelector(`[id="${name}"], [aria-label="${name}"]`);
      if (byName) return byName;
      const [, tag, index] = /^(.+):(\d+)$/.exec(name) ?? [];
      return tag ? pane.querySelectorAll(tag)[Number(index)] : undefined;
    };
    const ring = (name: string) => {
      const element = find(name);
      if (!element) return "missing";
      const parts = [element, ...(element.shadowRoot?.querySelectorAll("*") ?? [])];
      return parts
        .flatMap((part) =>
          [undefined, "::before", "::after"].map((pseudo) => {
            const style = getComputedStyle(part, pseudo);
            return [
              style.outlineStyle,
              style.outlineWidth,
              style.outlineColor,
              style.boxShadow,
              style.borderColor,
              style.transform,
            ].join(" ");
          })
        )
        .join("|");
    };
    const focused = () => {
      const control = document.activeElement;
      return control && pane.contains(control) ? nameOf(control) : undefined;
    };
    /** Whether the named controls come in this order in the document. */
    const inOrder = (names: string[]) =>
      names.map(find).every((element, index, elements) => {
        const previous = elements[index - 1];
        if (index === 0) return true;
        if (!element || !previous) return false;
        return Boolean(
          previous.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING
        );
      });
    Object.assign(window, { __paneControls: { focused, ring, inOrder } });
  });
}

/** What installPaneControls gives the page. */
interface PaneWindow {
  __paneControls: {
    focused(): string | undefined;
    ring(name: string): string;
    inOrder(names: string[]): boolean;
  };
}

/** The styles that can draw a focus ring on the control of that name. */
function ringOf(page: Page, control: string): Promise<string> {
  return page.evaluate(
    (name) => (window as unknown as PaneWindow).__paneControls.ring(name),
    control
  );
}

async function focusedStop(page: Page): Promise<Stop> {
  const control = await page.evaluate(() =>
    (window as unknown as PaneWindow).__paneControls.focused()
  );
  if (control === undefined) return { control: "", inPane: false, ring: "" };
  return { control, inPane: true, ring: await ringOf(page, control) };
}

/** Fails naming every stop whose look does not change when focused. */
async function expectFocusRings(page: Page, stops: Stop[]): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const unringed: string[] = [];
  for (const stop of stops) {
    if (stop.ring === (await ringOf(page, stop.control))) unringed.push(stop.control);
  }
  expect(unringed, "controls without a visible focus ring").toEqual([]);
}

/** Presses `key` until focus leaves the pane; the controls it stopped on, in order. */
async function walk(page: Page, key: "Tab" | "Shift+Tab"): Promise<Stop[]> {
  const stops: Stop[] = [];
  for (let press = 0; press < MAX_TABS; press++) {
    await page.keyboard.press(key);
    const stop = await focusedStop(page);
    if (!stop.inPane) return stops;
    stops.push(stop);
  }
  throw new Error(`Focus stayed in the pane after ${MAX_TABS} presses of ${key}`);
}

/** Presses Tab (or Shift+Tab) until `control` has focus. */
async function tabTo(page: Page, control: string, key: "Tab" | "Shift+Tab" = "Tab") {
  for (let press = 0; press < MAX_TABS; press++) {
    if ((await focusedStop(page)).control === control) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${key} never reached ${control}`);
}

it("walks the pane by keyboard, saves a key, retries failed cells and uses the freeze dialog", async () => {
  const { page, context, errors } = await geocodedRun(e2e);
  await installPaneControls(page);
  // Start just before the pane, as a user arriving from the sheet would.
  await page.locator("#geobatch-pane h1").evaluate((heading: HTMLElement) => {
    heading.tabIndex = -1;
    heading.focus();
  });

  const forward = await walk(page, "Tab");
  const order = forward.map((stop) => stop.control);
  // Every action once, in reading order (whatever other controls sit between them).
  expect(new Set(order).size).toBe(order.length);
  expect(order).toEqual(
    expect.arrayContaining([
      "status-action",
      "api-key",
      "toggle-key",
      "save-key",
      "check-key",
      "endpoint",
      "save-endpoint",
      "rate",
      "save-rate",
      "budget",
      "save-budget",
      "Select Sheet1!B12",
      "Select Sheet1!B13",
      "retry-failed",
      "freeze",
      "forget-selected",
      "clear-cache",
      "fluent-accordion-item:0",
    ])
  );
  expect(
    await page.evaluate(
      (names) => (window as unknown as PaneWindow).__paneControls.inOrder(names),
      order
    )
  ).toBe(true);
  // From beyond the pane, Shift+Tab goes back through the same stops.
  const backward = await walk(page, "Shift+Tab");
  expect(backward.map((stop) => stop.control)).toEqual([...order].reverse());

  // A focus ring on each: something drawn differs from the control at rest; in forced colours
  // (Windows high contrast) too.
  await expectFocusRings(page, forward);
  await page.emulateMedia({ forcedColors: "active" });
  await page.locator("#geobatch-pane h1").focus();
  const forcedStops = await walk(page, "Tab");
  expect(forcedStops.map((stop) => stop.control)).toEqual(order);
  await expectFocusRings(page, forcedStops);
  await page.emulateMedia({ forcedColors: "none" });

  // Retry failed with Space: the failed cells are recalculated.
  await page.locator("#geobatch-pane h1").focus();
  await tabTo(page, "retry-failed");
  await page.keyboard.press("Space");
  await expect
    .poll(() => page.locator("#failed-message").textContent())
    .toBe(`Recalculating ${SCENE_CELLS.failed} cells.`);

  // The freeze dialog (the grid's selection is B2, a GEO formula): focus goes in, Escape closes
  // it, and focus comes back to the button that opened it.
  await tabTo(page, "freeze");
  await page.keyboard.press("Enter");
  const dialog = page.locator("#freeze-dialog");
  await expect
    .poll(() => dialog.evaluate((element) => element.contains(document.activeElement) || false))
    .toBe(true);
  // Open, the dialog is named and so are its buttons; axe finds nothing serious in it.
  const { entries, problems } = await auditTree(context, page, "geobatch-pane");
  expect(problems).toEqual([]);
  expect(entries.filter((entry) => entry.role === "dialog").map((entry) => entry.name)).toEqual([
    "Freeze as values?",
  ]);
  expect(await axeFindings(page, "#freeze-dialog")).toEqual([]);
  await page.keyboard.press("Escape");
  await expect
    .poll(() =>
      dialog.evaluate((element) => element.shadowRoot?.querySelector("dialog")?.open ?? false)
    )
    .toBe(false);
  expect((await focusedStop(page)).control).toBe("freeze");

  // Save a key with Enter: typed into the field, saved where the cells read it.
  await tabTo(page, "api-key", "Shift+Tab");
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("key-typed-by-keyboard");
  await tabTo(page, "save-key");
  await page.keyboard.press("Enter");
  await expect
    .poll(() => page.evaluate((key) => localStorage.getItem(key), SETTING_KEYS.apiKey))
    .toBe("key-typed-by-keyboard");
  expect(errors).toEqual([]);
});
