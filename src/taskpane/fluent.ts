// Fluent 2, as web components: Microsoft's design language without a framework runtime. React
// with @fluentui/react-components would add React and ReactDOM (well over 100 KB) to a pane that
// renders a few forms; these custom elements are small, register themselves, and come in with the
// pane's own chunk, loaded after the custom functions have registered. Each component is imported
// on its own, so only the ones used are bundled.

import "@fluentui/web-components/accordion.js";
import "@fluentui/web-components/accordion-item.js";
import "@fluentui/web-components/button.js";
import "@fluentui/web-components/dialog.js";
import "@fluentui/web-components/dialog-body.js";
import "@fluentui/web-components/divider.js";
import "@fluentui/web-components/progress-bar.js";
import "@fluentui/web-components/switch.js";
import "@fluentui/web-components/text-input.js";

/** The value property of Fluent's text input; undefined until something set or typed it. */
export type FluentInput = HTMLElement & { value: string | undefined; type: string };

/** The text in a Fluent text input, "" when it was never set. */
export function textOf(input: FluentInput): string {
  return input.value ?? "";
}

export type FluentDialog = HTMLElement & { show(): void; hide(): void };

/** Fluent's switch: `checked` is its state. */
export type FluentSwitch = HTMLElement & { checked: boolean };
