// Office's theme, or the system's: the pane is light or dark as its host is. Excel gives its
// theme in Office.context.officeTheme (once Office is ready); a plain browser has only
// prefers-color-scheme. Fluent 2's light or dark tokens are set on the pane alone, so a page
// that hosts it (the workbench) keeps its own colours.

import { webDarkTheme, webLightTheme } from "@fluentui/tokens";
import { setTheme } from "@fluentui/web-components/theme/set-theme.js";

export type ThemeName = "light" | "dark";

/** What the pane needs of Office.context.officeTheme. */
interface OfficeTheme {
  bodyBackgroundColor?: string;
}

const DARK_QUERY = "(prefers-color-scheme: dark)";

/** True for a colour (#rgb or #rrggbb) darker than mid-grey, by relative luminance. */
export function isDarkColour(colour: string): boolean {
  const hex = colour.trim().replace(/^#/, "");
  const full = hex.length === 3 ? [...hex].map((digit) => digit + digit).join("") : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) return false;
  const [red, green, blue] = [0, 2, 4].map((start) => {
    const channel = parseInt(full.slice(start, start + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.18;
}

function officeTheme(): OfficeTheme | undefined {
  const office = (globalThis as { Office?: { context?: { officeTheme?: OfficeTheme } } }).Office;
  try {
    return office?.context?.officeTheme ?? undefined;
  } catch {
    // Outside Office, office.js may throw when asked for its context.
    return undefined;
  }
}

/** The host's theme when it gives one, else the system's. */
export function currentTheme(): ThemeName {
  const background = officeTheme()?.bodyBackgroundColor;
  if (background) return isDarkColour(background) ? "dark" : "light";
  return globalThis.matchMedia?.(DARK_QUERY).matches ? "dark" : "light";
}

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
