// Where the key lives and which endpoint a batch uses, including the dev build's emulator
// fallback and the choice of storage in each kind of host.

import { afterEach, describe, expect, it, vi } from "vitest";
import {
  defaultStore,
  isValidNumber,
  EMULATOR_API_KEY,
  GEOAPIFY_BASE_URL,
  memoryStore,
  Settings,
  SETTING_KEYS,
  type KeyValueStore,
} from "../../src/settings/settings";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("Settings", () => {
  it("uses Geoapify with the saved key, trimmed", async () => {
    const settings = new Settings({ store: memoryStore() });
    await settings.setApiKey("  abc123  ");
    expect(await settings.endpoint()).toEqual({
      apiKey: "abc123",
      baseUrl: GEOAPIFY_BASE_URL,
      emulated: false,
      gateway: false,
    });
  });

  it("uses a saved base URL without its trailing slash", async () => {
    const store = memoryStore({
      [SETTING_KEYS.apiKey]: "k",
      [SETTING_KEYS.baseUrl]: "https://proxy.example.org/geo/",
    });
    expect((await new Settings({ store }).endpoint())?.baseUrl).toBe(
      "https://proxy.example.org/geo"
    );
  });

  it("has no endpoint without a key in a production build", async () => {
    expect(await new Settings({ store: memoryStore() }).endpoint()).toBeUndefined();
  });

  it("falls back to the emulator without a key in a dev build, never with one", async () => {
    vi.stubGlobal("location", { href: "https://localhost:3000/taskpane.html" });
    const store = memoryStore();
    const settings = new Settings({ store, emulatorUrl: "/emulator" });
    expect(await settings.endpoint()).toEqual({
      apiKey: EMULATOR_API_KEY,
      baseUrl: "https://localhost:3000/emulator",
      emulated: true,
      gateway: false,
    });
    await settings.setApiKey("real-key");
    expect(await settings.endpoint()).toMatchObject({ apiKey: "real-key", emulated: false });
  });

  it("removes the key when an empty one is saved", async () => {
    const store = memoryStore({ [SETTING_KEYS.apiKey]: "old" });
    const settings = new Settings({ store });
    await settings.setApiKey("   ");
    expect(await store.getItem(SETTING_KEYS.apiKey)).toBeNull();
    expect(await settings.endpoint()).toBeUndefined();
  });

  it("knows a saved custom endpoint is a team gateway, and Geoapify's own never is", async () => {
    const store = memoryStore({ [SETTING_KEYS.apiKey]: "gateway-token" });
    const settings = new Settings({ store });
    await settings.setEndpointKind("gateway");
    expect(await store.getItem(SETTING_KEYS.endpointKind)).toBe("gateway");
    expect(await settings.endpoint()).toMatchObject({ baseUrl: GEOAPIFY_BASE_URL, gateway: false });
    await settings.setBaseUrl("https://geo.example.com/");
    expect(await settings.endpoint()).toMatchObject({
      apiKey: "gateway-token",
      baseUrl: "https://geo.example.com",
      gateway: true,
    });
    await settings.setEndpointKind("geoapify");
    expect(await store.getItem(SETTING_KEYS.endpointKind)).toBeNull();
    expect(await settings.endpoint()).toMatchObject({ gateway: false });
  });

  it("reads storage once for the cells of one task, and again afterwards", async () => {
    const store = memoryStore({ [SETTING_KEYS.apiKey]: "k" });
    const getItem = vi.spyOn(store, "getItem");
    const settings = new Settings({ store });
    await Promise.all(Array.from({ length: 500 }, () => settings.endpoint()));
    const readsForOneTask = getItem.mock.calls.length;
    expect(readsForOneTask).toBe(3); // the key, the base URL and the endpoint's kind
    await store.setItem(SETTING_KEYS.apiKey, "saved-meanwhile");
    expect((await settings.endpoint())?.apiKey).toBe("saved-meanwhile");
  });

  it("reads numeric settings in range and falls back to their defaults otherwise", async () => {
    const store = memoryStore();
    const settings = new Settings({ store });
    expect(await settings.limits()).toEqual({
      ratePerSecond: 5,
      jobTimeoutMs: 120_000,
      dailyBudgetCredits: undefined,
      windowMs: 50,
      foundTtlDays: 30,
      notFoundTtlDays: 1,
    });
    await store.setItem(SETTING_KEYS.jobTimeoutMs, "oops");
    await store.setItem(SETTING_KEYS.ratePerSecond, "0");
    await store.setItem(SETTING_KEYS.windowMs, "");
    expect(await settings.limits()).toMatchObject({
      jobTimeoutMs: 120_000,
      ratePerSecond: 5,
      windowMs: 50,
    });
    await settings.setNumber("jobTimeoutMs", 3000);
    await settings.setNumber("dailyBudgetCredits", 250);
    await settings.setNumber("windowMs", 0);
    expect(await settings.limits()).toMatchObject({
      jobTimeoutMs: 3000,
      dailyBudgetCredits: 250,
      windowMs: 0,
    });
    await settings.setNumber("dailyBudgetCredits", undefined);
    expect((await settings.limits()).dailyBudgetCredits).toBeUndefined();
  });

  it("refuses to save a number outside its range", async () => {
    const settings = new Settings({ store: memoryStore() });
    await expect(settings.setNumber("ratePerSecond", 0)).rejects.toThrow(RangeError);
    await expect(settings.setNumber("foundTtlDays", Number.NaN)).rejects.toThrow(RangeError);
    expect(isValidNumber("ratePerSecond", 5)).toBe(true);
    expect(isValidNumber("windowMs", -1)).toBe(false);
  });

  it("saves a base URL without its trailing slash, and forgets it when cleared", async () => {
    const store = memoryStore({ [SETTING_KEYS.apiKey]: "k" });
    const settings = new Settings({ store });
    await settings.setBaseUrl("https://proxy.example.org/geo/ ");
    expect((await settings.endpoint())?.baseUrl).toBe("https://proxy.example.org/geo");
    await settings.setBaseUrl(undefined);
    expect((await settings.endpoint())?.baseUrl).toBe(GEOAPIFY_BASE_URL);
  });
});

describe("defaultStore", () => {
  it("prefers OfficeRuntime.storage where the host provides it", () => {
    const officeStorage: KeyValueStore = memoryStore();
    vi.stubGlobal("OfficeRuntime", { storage: officeStorage });
    vi.stubGlobal("localStorage", new Map());
    expect(defaultStore()).toBe(officeStorage);
  });

  it("uses localStorage in a plain browser", async () => {
    const values = new Map<string, string>();
    vi.stubGlobal("localStorage", {
      getItem: (key: string) => values.get(key) ?? null,
      setItem: (key: string, value: string) => values.set(key, value),
      removeItem: (key: string) => values.delete(key),
    });
    await new Settings({ store: defaultStore() }).setApiKey("browser-key");
    expect(values.get(SETTING_KEYS.apiKey)).toBe("browser-key");
  });

  it("keeps working in memory where storage is blocked", async () => {
    Object.defineProperty(globalThis, "localStorage", {
      configurable: true,
      get() {
        throw new DOMException("Access is denied", "SecurityError");
      },
    });
    try {
      const settings = new Settings({ store: defaultStore() });
      await settings.setApiKey("k");
      expect(await settings.apiKey()).toBe("k");
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});
