// Building the pane's DOM from text only: nothing from a sheet (addresses, messages) is ever
// parsed as markup, since cells hold whatever users paste.

import { words } from "./wording";

type Child = Node | string | undefined | false;

/** An element with attributes and children; strings become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K | (string & {}),
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child) element.append(child);
  return element as HTMLElementTagNameMap[K];
}

/** A Fluent button (its text is its accessible name); "secondary" unless told. */
export function button(id: string, label: string, appearance = "secondary"): HTMLElement {
  return el("fluent-button", { id, appearance }, label);
}

/** A section with its heading, labelled by it; its message lines are named after it. */
export function section(id: string, heading: string, ...children: Child[]): HTMLElement {
  const element = el(
    "section",
    { id, "aria-labelledby": `${id}-heading` },
    el("h2", { id: `${id}-heading` }, heading),
    ...children
  );
  nameMessageLines(element, heading);
  return element;
}

/**
 * Names the live lines in `container` that have no name yet ("Connection messages"): a screen
 * reader's list of regions otherwise shows a row of unnamed statuses.
 */
export function nameMessageLines(container: HTMLElement, heading: string): void {
  for (const line of container.querySelectorAll('[role="status"]:not([aria-label])')) {
    line.setAttribute("aria-label", words.messagesOf(heading));
  }
}

/** Disables a Fluent button where assistive technology and checkers both see it. */
export function setDisabled(control: HTMLElement, disabled: boolean): void {
  control.toggleAttribute("disabled", disabled);
  // Fluent states "disabled" through ElementInternals, which axe-core does not read.
  if (disabled) control.setAttribute("aria-disabled", "true");
  else control.removeAttribute("aria-disabled");
}

/** A polite live line for a section's outcome messages. */
export function messageLine(id: string): HTMLElement {
  return el("p", { id, class: "message", role: "status", "aria-live": "polite" });
}

export function say(line: HTMLElement, text: string, isError = false): void {
  line.textContent = text;
  line.classList.toggle("error", isError);
}

/** A Fluent token's value as the pane's CSS resolves it at `element` ("" when unset). */
export function tokenColour(element: Element, token: string): string {
  return getComputedStyle(element).getPropertyValue(`--${token}`).trim();
}
