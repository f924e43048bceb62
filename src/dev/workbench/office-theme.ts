// Excel tells an add-in its Office theme in Office.context.officeTheme; the workbench, as Excel's
// stand-in, gives one too, before the pane loads: ?theme=dark or ?theme=light, else the system's
// scheme (Office's "Use system setting"). The colours are Office's White and Black themes.

const OFFICE_THEMES = {
  light: {
    bodyBackgroundColor: "#FFFFFF",
    bodyForegroundColor: "#000000",
    controlBackgroundColor: "#FFFFFF",
    controlForegroundColor: "#000000",
  },
  dark: {
    bodyBackgroundColor: "#262626",
    bodyForegroundColor: "#FFFFFF",
    controlBackgroundColor: "#363636",
    controlForegroundColor: "#FFFFFF",
  },
} as const;

interface OfficeStandIn {
  context?: object;
  onReady?: () => Promise<unknown>;
}

export type WorkbenchTheme = keyof typeof OFFICE_THEMES;

/** The theme this page load stands in for. */
export function chosenTheme(search = location.search): WorkbenchTheme {
  const asked = new URLSearchParams(search).get("theme");
  if (asked === "dark" || asked === "light") return asked;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/** Puts the theme where the pane reads it, Office.context.officeTheme; answers which it is. */
export function installOfficeTheme(): WorkbenchTheme {
  const theme = chosenTheme();
  const office = (globalThis as { Office?: OfficeStandIn }).Office;
  const install = () => {
    if (!office) return;
    office.context ??= {};
    Object.defineProperty(office.context, "officeTheme", {
      configurable: true,
      get: () => OFFICE_THEMES[theme],
    });
  };
  install();
  // office.js puts a new context in place once it has initialised: give it the theme too.
  void office?.onReady?.().then(install);
  document.documentElement.dataset.officeTheme = theme;
  return theme;
}
