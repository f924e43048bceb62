// Office's theme, or the system's: the pane is light or dark as its host is. Excel gives its
// theme in Office.context.officeTheme (once Office is ready); a plain browser has only
// prefers-color-scheme. Fluent 2's light or dark tokens are set on the pane alone, so a page
// that hosts it (the workbench) keeps its own colours.

import { webDarkTheme, webLightTheme } from "@fluentui/tokens";
import { setTheme } from "@fluentui/web-components/theme/set-theme.js";
import { currentTheme, DARK_QUERY, type ThemeName } from "./theme-choice";

/**
 * Sets Fluent's tokens for the current theme on `root`, and again whenever the theme may have
 * changed (Office ready, the system's scheme changed); `changed` then redraws what a canvas holds.
 */
export function followTheme(root: HTMLElement, changed: () => void): void {
  let shown: ThemeName | undefined;
  const apply = () => {
    const theme = currentTheme();
    if (theme === shown) return;
    shown = theme;
    const tokens = theme === "dark" ? webDarkTheme : webLightTheme;
    // Fluent's Theme is an interface of token names; setTheme takes any flat token record.
    setTheme(tokens as unknown as Record<string, string>, root);
    root.dataset.theme = theme;
    root.style.colorScheme = theme;
    // The pane's own page (taskpane.html) is the pane: its body takes the pane's background.
    if (root.parentElement === document.body) {
      document.body.style.background = tokens.colorNeutralBackground1;
      document.documentElement.style.colorScheme = theme;
    }
    changed();
  };
  apply();
  globalThis.matchMedia?.(DARK_QUERY).addEventListener("change", apply);
  const office = (globalThis as { Office?: { onReady?: () => Promise<unknown> } }).Office;
  void office?.onReady?.().then(apply, () => undefined);
}
