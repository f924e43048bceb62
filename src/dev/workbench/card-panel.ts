// The card Excel opens for a cell holding an entity: its title, its sections of properties and
// the provider's attribution. Everything in it came from a function's result, so it is set as
// text, never parsed as markup; links and logos are kept only when they are https URLs.

import { cardOf } from "./entity";
import type { EntityValue } from "./values";

export class CardPanel {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly body: HTMLElement;
  /** The address whose card the user closed: it stays closed until the selection moves. */
  private dismissed: string | undefined;

  constructor() {
    this.element = document.createElement("aside");
    this.element.className = "card-panel";
    this.element.hidden = true;
    this.element.setAttribute("role", "dialog");
    this.element.setAttribute("aria-labelledby", "card-title");
    const header = document.createElement("header");
    this.heading = document.createElement("h2");
    this.heading.id = "card-title";
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.setAttribute("aria-label", "Close the card");
    close.addEventListener("click", () => this.dismiss());
    header.append(this.heading, close);
    this.body = document.createElement("div");
    this.element.append(header, this.body);
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.dismiss();
    });
  }

  /** Shows the card of the entity in `address`, or hides the panel when there is none. */
  show(address: string, entity: EntityValue | undefined): void {
    if (!entity || this.dismissed === address) {
      if (this.dismissed !== address) this.dismissed = undefined;
      this.element.hidden = true;
      return;
    }
    this.dismissed = undefined;
    const card = cardOf(entity);
    this.element.dataset.address = address;
    this.heading.textContent = card.title;
    const parts: HTMLElement[] = [];
    for (const section of card.sections) {
      const part = document.createElement("section");
      if (section.title) part.append(text("h3", section.title));
      const list = document.createElement("dl");
      for (const [name, value] of section.rows) list.append(text("dt", name), text("dd", value));
      part.append(list);
      parts.push(part);
    }
    if (card.provider) parts.push(attribution(card.provider));
    this.body.replaceChildren(...parts);
    this.element.hidden = false;
  }

  private dismiss(): void {
    this.dismissed = this.element.dataset.address;
    this.element.hidden = true;
  }
}

function attribution(provider: NonNullable<ReturnType<typeof cardOf>["provider"]>): HTMLElement {
  const footer = document.createElement("footer");
  footer.className = "card-provider";
  const logo = httpsUrl(provider.logoSourceAddress);
  if (logo) {
    const image = document.createElement("img");
    image.src = logo;
    image.alt = "";
    footer.append(image);
  }
  const target = httpsUrl(provider.logoTargetAddress);
  const label = target ? document.createElement("a") : document.createElement("span");
  label.textContent = `Data: ${provider.description}`;
  if (label instanceof HTMLAnchorElement && target) {
    label.href = target;
    label.target = "_blank";
    label.rel = "noopener noreferrer";
  }
  footer.append(label);
  return footer;
}

function httpsUrl(address: string | undefined): string | undefined {
  if (!address) return undefined;
  try {
    return new URL(address).protocol === "https:" ? address : undefined;
  } catch {
    return undefined;
  }
}

function text(tag: string, content: string): HTMLElement {
  const created = document.createElement(tag);
  created.textContent = content;
  return created;
}
