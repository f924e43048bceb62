// Where GeoBatch keeps its settings, and how they are read.
//
// The runtime reads settings when it needs them (each cell's first check, each batch at dispatch)
// instead of caching them, so a key saved in the pane takes effect on the next recalculation
// without a reload. Reads are coalesced: thousands of cells arriving together share one read.

/**
 * The numeric settings: storage key, default (none: unset means "no limit") and the range a
 * value must lie in. One table, so the runtime's reads and the pane's validation agree.
 */
export const NUMERIC_SETTINGS = {
  /** Requests per second the key's plan allows. Default 5, the free plan. */
  ratePerSecond: { key: "geoapify.ratePerSecond", default: 5, min: 1, max: 1000 },
  /** How long a cell waits for its job once Geoapify accepted it, in ms. */
  jobTimeoutMs: { key: "geobatch.jobTimeoutMs", default: 120_000, min: 1000, max: 3_600_000 },
  /** Cap on the credits GeoBatch may spend per UTC day with one key. Default: none. */
  dailyBudgetCredits: {
    key: "geobatch.dailyBudgetCredits",
    default: undefined,
    min: 0.5,
    max: 1e9,
  },
  /** How long the first cell of a batch waits for the others, in ms. */
  windowMs: { key: "geobatch.windowMs", default: 50, min: 0, max: 5000 },
  /** How long a found place stays cached, in days. */
  foundTtlDays: { key: "geobatch.foundTtlDays", default: 30, min: 1, max: 365 },
  /** How long a "not found" stays cached, in days. */
  notFoundTtlDays: { key: "geobatch.notFoundTtlDays", default: 1, min: 0.01, max: 365 },
} as const;

export type NumericSettingKey = keyof typeof NUMERIC_SETTINGS;

/** Every numeric setting's value now: saved, else its default. */
export type Limits = {
  [K in NumericSettingKey]: (typeof NUMERIC_SETTINGS)[K]["default"] extends number
    ? number
    : number | undefined;
};

function numericKeys(): { [K in NumericSettingKey]: (typeof NUMERIC_SETTINGS)[K]["key"] } {
  return Object.fromEntries(
    Object.entries(NUMERIC_SETTINGS).map(([name, setting]) => [name, setting.key])
  ) as never;
}

/** Storage keys. `geoapify.apiKey` is the name users and docs refer to; keep it stable. */
export const SETTING_KEYS = {
  apiKey: "geoapify.apiKey",
  /** Optional API origin, for a proxy or the emulator. Default: Geoapify itself. */
  baseUrl: "geoapify.baseUrl",
  /** "gateway" when `baseUrl` is a team gateway (its token is then `apiKey`); else absent. */
  endpointKind: "geoapify.endpointKind",
  /** "true": a batch of at most SINGLE_EDITS_UP_TO new inputs goes as single lookups. */
  singleEdits: "geobatch.singleEdits",
  ...numericKeys(),
} as const;

export const GEOAPIFY_BASE_URL = "https://api.geoapify.com";

/** With single edits on, a batch of this many new inputs or fewer goes as single lookups. */
export const SINGLE_EDITS_UP_TO = 3;

/** Whether `value` may be saved as `key`; out of range or not a number: false. */
export function isValidNumber(key: NumericSettingKey, value: number): boolean {
  const { min, max } = NUMERIC_SETTINGS[key];
  return Number.isFinite(value) && value >= min && value <= max;
}

/** The API key dev builds send to the embedded emulator, which accepts any non-empty key. */
export const EMULATOR_API_KEY = "emulator";

/** The asynchronous subset of a key/value store that both OfficeRuntime.storage and a wrapped
 * localStorage provide. */
export interface KeyValueStore {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

/** What a batch needs to reach Geoapify. */
export interface Endpoint {
  apiKey: string;
  baseUrl: string;
  /** True when no key is saved and a dev build fell back to the embedded emulator. */
  emulated: boolean;
  /** True when `baseUrl` is a team gateway and `apiKey` a user's gateway token. */
  gateway: boolean;
}

/** What the saved endpoint is: Geoapify (or a plain proxy), or a team gateway. */
export type EndpointKind = "geoapify" | "gateway";

export interface SettingsOptions {
  /** Default: OfficeRuntime.storage in an Office host, else localStorage, else memory. */
  store?: KeyValueStore;
  /** Dev builds set this (webpack's GEOBATCH_EMULATOR_PATH) to use the emulator when no key is
   * saved. Resolved against the page's location. Empty: never emulate. */
  emulatorUrl?: string;
}

/** Thrown when there is no API key: the message is what the cell shows. */
export class MissingApiKeyError extends Error {
  override readonly name = "MissingApiKeyError";

  constructor() {
    super("Set your Geoapify API key in the GeoBatch pane");
  }
}

export class Settings {
  /** Where settings live; the runtime keeps its other small records (credits) beside them. */
  readonly store: KeyValueStore;
  private readonly emulatorUrl: string;
  private pendingRead: Promise<Endpoint | undefined> | undefined;
  private pendingLimits: Promise<Limits> | undefined;

  constructor(options: SettingsOptions = {}) {
    this.store = options.store ?? defaultStore();
    this.emulatorUrl = options.emulatorUrl ?? "";
  }

  /** The endpoint to use now, or undefined when no key is saved and nothing can be emulated. */
  endpoint(): Promise<Endpoint | undefined> {
    // One read in flight at a time: a recalculation calls this once per cell.
    this.pendingRead ??= this.readEndpoint().finally(() => (this.pendingRead = undefined));
    return this.pendingRead;
  }

  async apiKey(): Promise<string> {
    return ((await this.store.getItem(SETTING_KEYS.apiKey)) ?? "").trim();
  }

  /** Saves the key (an empty key removes it). */
  async setApiKey(apiKey: string): Promise<void> {
    const trimmed = apiKey.trim();
    await (trimmed
      ? this.store.setItem(SETTING_KEYS.apiKey, trimmed)
      : this.store.removeItem(SETTING_KEYS.apiKey));
  }

  /** The numeric settings; a missing or invalid value takes its default. Coalesced like
   * endpoint(): every cell reads them. */
  limits(): Promise<Limits> {
    this.pendingLimits ??= this.readLimits().finally(() => (this.pendingLimits = undefined));
    return this.pendingLimits;
  }

  /** Saves a numeric setting; `undefined` removes it, so its default applies again. */
  async setNumber(key: NumericSettingKey, value: number | undefined): Promise<void> {
    if (value !== undefined && !isValidNumber(key, value)) {
      throw new RangeError(`${key} out of range: ${value}`);
    }
    const storageKey = NUMERIC_SETTINGS[key].key;
    await (value === undefined
      ? this.store.removeItem(storageKey)
      : this.store.setItem(storageKey, String(value)));
  }

  /** Whether a few new inputs go as single lookups at once (1 credit each), rather than wait
   * for a batch job (0.5 credit each). Off unless saved as "true". */
  async singleEdits(): Promise<boolean> {
    return (await this.store.getItem(SETTING_KEYS.singleEdits)) === "true";
  }

  async setSingleEdits(on: boolean): Promise<void> {
    await (on
      ? this.store.setItem(SETTING_KEYS.singleEdits, "true")
      : this.store.removeItem(SETTING_KEYS.singleEdits));
  }

  /** Saves the API origin (a proxy, Geoapify EU); `undefined` returns to Geoapify's own. The
   * pane validates the address before it saves it. */
  async setBaseUrl(baseUrl: string | undefined): Promise<void> {
    await (baseUrl?.trim()
      ? this.store.setItem(SETTING_KEYS.baseUrl, trimSlash(baseUrl.trim()))
      : this.store.removeItem(SETTING_KEYS.baseUrl));
  }

  /** Saves whether the saved custom endpoint is a team gateway. */
  async setEndpointKind(kind: EndpointKind): Promise<void> {
    await (kind === "gateway"
      ? this.store.setItem(SETTING_KEYS.endpointKind, "gateway")
      : this.store.removeItem(SETTING_KEYS.endpointKind));
  }

  private async readLimits(): Promise<Limits> {
    const names = Object.keys(NUMERIC_SETTINGS) as NumericSettingKey[];
    const values = await Promise.all(
      names.map(async (name) => {
        const raw = await this.store.getItem(NUMERIC_SETTINGS[name].key);
        const value = raw === null || raw.trim() === "" ? NaN : Number(raw);
        return isValidNumber(name, value) ? value : NUMERIC_SETTINGS[name].default;
      })
    );
    return Object.fromEntries(names.map((name, index) => [name, values[index]])) as Limits;
  }

  private async readEndpoint(): Promise<Endpoint | undefined> {
    const [apiKey, baseUrl, kind] = await Promise.all([
      this.apiKey(),
      this.store.getItem(SETTING_KEYS.baseUrl),
      this.store.getItem(SETTING_KEYS.endpointKind),
    ]);
    if (apiKey) {
      const custom = trimSlash(baseUrl?.trim() ?? "");
      // Only a saved custom address can be a gateway: Geoapify's own never is.
      const gateway = kind === "gateway" && custom !== "";
      return { apiKey, baseUrl: custom || GEOAPIFY_BASE_URL, emulated: false, gateway };
    }
    if (this.emulatorUrl) {
      const url = new URL(this.emulatorUrl, globalThis.location?.href ?? "http://localhost/");
      return {
        apiKey: EMULATOR_API_KEY,
        baseUrl: trimSlash(url.href),
        emulated: true,
        gateway: false,
      };
    }
    return undefined;
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** OfficeRuntime.storage where the host provides it (the shared runtime), else localStorage (a
 * plain browser, the workbench), else memory (Node). */
export function defaultStore(): KeyValueStore {
  if (typeof OfficeRuntime !== "undefined" && OfficeRuntime.storage) {
    return OfficeRuntime.storage;
  }
  const local = safeLocalStorage();
  if (local) {
    return {
      getItem: async (key) => local.getItem(key),
      setItem: async (key, value) => local.setItem(key, value),
      removeItem: async (key) => local.removeItem(key),
    };
  }
  return memoryStore();
}

export function memoryStore(initial: Record<string, string> = {}): KeyValueStore {
  const values = new Map(Object.entries(initial));
  return {
    getItem: async (key) => values.get(key) ?? null,
    setItem: async (key, value) => void values.set(key, value),
    removeItem: async (key) => void values.delete(key),
  };
}

function safeLocalStorage(): Storage | undefined {
  try {
    // Reading the property itself throws where storage is blocked (sandboxed frames).
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}
