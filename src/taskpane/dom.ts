// Building the pane's DOM from text only: nothing from a sheet (addresses, messages) is ever
// parsed as markup, since cells hold whatever users paste.

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

/** A section with its heading, labelled by it. */
export function section(id: string, heading: string, ...children: Child[]): HTMLElement {
  return el(
    "section",
    { id, "aria-labelledby": `${id}-heading` },
    el("h2", { id: `${id}-heading` }, heading),
    ...children
  );
}

/** A polite live line for a section's outcome messages. */
export function messageLine(id: string): HTMLElement {
  return el("p", { id, class: "message", role: "status", "aria-live": "polite" });
}

export function say(line: HTMLElement, text: string, isError = false): void {
  line.textContent = text;
  line.classList.toggle("error", isError);
}
