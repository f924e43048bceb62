// Which theme the pane shows: the host's (Office.context.officeTheme, light or dark by its body
// colour) when it gives one, else the system's prefers-color-scheme. Apart from the DOM work of
// theme.ts, so it is tested alone.

export type ThemeName = "light" | "dark";

/** What the pane needs of Office.context.officeTheme. */
interface OfficeTheme {
  bodyBackgroundColor?: string;
}

export const DARK_QUERY = "(prefers-color-scheme: dark)";

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
