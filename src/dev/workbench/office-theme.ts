// Excel tells an add-in its Office theme in Office.context.officeTheme; the workbench, as Excel's
// stand-in, gives one too, before the pane loads: ?theme=dark or ?theme=light, else the system's
// scheme, followed as it changes (Office's "Use system setting"). The colours are Office's White
// and Black themes. The workbench's own page takes the same theme.

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

const systemDark = matchMedia("(prefers-color-scheme: dark)");

/** The theme asked for in the page's address, if any. */
function askedTheme(search = location.search): WorkbenchTheme | undefined {
  const asked = new URLSearchParams(search).get("theme");
  return asked === "dark" || asked === "light" ? asked : undefined;
}

function currentTheme(): WorkbenchTheme {
  return askedTheme() ?? (systemDark.matches ? "dark" : "light");
}

/** Puts the theme where the pane reads it, Office.context.officeTheme, and on this page. */
export function installOfficeTheme(): void {
  const office = (globalThis as { Office?: OfficeStandIn }).Office;
  const install = () => {
    if (!office) return;
    office.context ??= {};
    Object.defineProperty(office.context, "officeTheme", {
      configurable: true,
      get: () => OFFICE_THEMES[currentTheme()],
    });
  };
  install();
  // office.js puts a new context in place once it has initialised: give it the theme too.
  void office?.onReady?.().then(install);
  const mark = () => (document.documentElement.dataset.officeTheme = currentTheme());
  mark();
  systemDark.addEventListener("change", mark);
}
