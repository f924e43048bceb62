// Where GeoBatch keeps its settings, and how they are read.
//
// The runtime reads settings when it needs them (each cell's first check, each batch at dispatch)
// instead of caching them, so a key saved in the pane takes effect on the next recalculation
// without a reload. Reads are coalesced: thousands of cells arriving together share one read.

/** Storage keys. `geoapify.apiKey` is the name users and docs refer to; keep it stable. */
export const SETTING_KEYS = {
  apiKey: "geoapify.apiKey",
  /** Optional API origin, for a proxy or the emulator. Default: Geoapify itself. */
  baseUrl: "geoapify.baseUrl",
  /** How long a cell waits for its job once Geoapify accepted it, in ms. Default 2 minutes. */
  jobTimeoutMs: "geobatch.jobTimeoutMs",
  /** Requests per second the key's plan allows. Default 5, the free plan. */
  ratePerSecond: "geoapify.ratePerSecond",
  /** Optional cap on the credits GeoBatch may spend per UTC day with one key. */
  dailyBudgetCredits: "geobatch.dailyBudgetCredits",
} as const;

/** Geoapify's free plan: 5 requests a second. Paid plans raise it. */
export const DEFAULT_RATE_PER_SECOND = 5;
export const DEFAULT_JOB_TIMEOUT_MS = 120_000;

/** How GeoBatch paces and bounds its work, read once per batch. */
export interface Limits {
  ratePerSecond: number;
  jobTimeoutMs: number;
  /** Undefined: no budget, the plan's own quota is the only limit. */
  dailyBudgetCredits: number | undefined;
}

export const GEOAPIFY_BASE_URL = "https://api.geoapify.com";

/** The API key dev builds send to the embedded emulator, which accepts any non-empty key. */
export const EMULATOR_API_KEY = "emulator";

/** The asynchronous subset of a key/value store that both OfficeRuntime.storage and a wrapped
 * localStorage provide. */
export interface KeyValueStore {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

export type NumericSettingKey = "jobTimeoutMs" | "ratePerSecond" | "dailyBudgetCredits";

/** What a batch needs to reach Geoapify. */
export interface Endpoint {
  apiKey: string;
  baseUrl: string;
  /** True when no key is saved and a dev build fell back to the embedded emulator. */
  emulated: boolean;
}

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

  /** The saved limits; a missing or invalid value (not a positive number) takes its default. */
  async limits(): Promise<Limits> {
    const [rate, timeout, budget] = await Promise.all([
      this.positiveNumber(SETTING_KEYS.ratePerSecond),
      this.positiveNumber(SETTING_KEYS.jobTimeoutMs),
      this.positiveNumber(SETTING_KEYS.dailyBudgetCredits),
    ]);
    return {
      ratePerSecond: rate ?? DEFAULT_RATE_PER_SECOND,
      jobTimeoutMs: timeout ?? DEFAULT_JOB_TIMEOUT_MS,
      dailyBudgetCredits: budget,
    };
  }

  /** Saves a numeric setting; `undefined` removes it, so its default applies again. */
  async setNumber(key: NumericSettingKey, value: number | undefined): Promise<void> {
    await (value === undefined
      ? this.store.removeItem(SETTING_KEYS[key])
      : this.store.setItem(SETTING_KEYS[key], String(value)));
  }

  private async positiveNumber(key: string): Promise<number | undefined> {
    const value = Number(await this.store.getItem(key));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  }

  private async readEndpoint(): Promise<Endpoint | undefined> {
    const [apiKey, baseUrl] = await Promise.all([
      this.apiKey(),
      this.store.getItem(SETTING_KEYS.baseUrl),
    ]);
    if (apiKey) {
      return { apiKey, baseUrl: trimSlash(baseUrl?.trim() || GEOAPIFY_BASE_URL), emulated: false };
    }
    if (this.emulatorUrl) {
      const url = new URL(this.emulatorUrl, globalThis.location?.href ?? "http://localhost/");
      return { apiKey: EMULATOR_API_KEY, baseUrl: trimSlash(url.href), emulated: true };
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
