// Shows and edits the settings the add-in reads in a plain browser: its localStorage keys, the
// same ones the task pane writes. The key itself is never displayed.

import { GEOAPIFY_BASE_URL, SETTING_KEYS } from "../../settings/settings";

// Set by webpack: "/emulator" in dev builds (the add-in then falls back to the dev server's
// emulator when no key is saved), "" in production builds.
declare const GEOBATCH_EMULATOR_PATH: string | undefined;

export class SettingsStrip {
  readonly element: HTMLFormElement;
  private readonly state: HTMLElement;
  private readonly keyInput: HTMLInputElement;
  private readonly baseUrlInput: HTMLInputElement;

  constructor() {
    this.element = document.createElement("form");
    this.element.className = "settings";
    this.element.innerHTML = `
      <span class="settings-state" role="status"></span>
      <label>API key <input name="apiKey" type="password" autocomplete="off" spellcheck="false"
        placeholder="Geoapify API key" /></label>
      <label>Endpoint <input name="baseUrl" type="url" spellcheck="false"
        placeholder="${GEOAPIFY_BASE_URL}" /></label>
      <button type="submit">Save</button>`;
    this.state = this.element.querySelector(".settings-state") as HTMLElement;
    this.keyInput = this.element.querySelector('[name="apiKey"]') as HTMLInputElement;
    this.baseUrlInput = this.element.querySelector('[name="baseUrl"]') as HTMLInputElement;
    this.baseUrlInput.value = localStorage.getItem(SETTING_KEYS.baseUrl) ?? "";
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    // The task pane in another tab writes the same keys.
    window.addEventListener("storage", () => this.describe());
    this.describe();
  }

  private save(): void {
    const apiKey = this.keyInput.value.trim();
    const baseUrl = this.baseUrlInput.value.trim();
    if (apiKey) localStorage.setItem(SETTING_KEYS.apiKey, apiKey);
    if (baseUrl) localStorage.setItem(SETTING_KEYS.baseUrl, baseUrl);
    else localStorage.removeItem(SETTING_KEYS.baseUrl);
    this.keyInput.value = "";
    this.describe("Saved: press Recalculate to use it.");
  }

  private describe(note = ""): void {
    const hasKey = Boolean(localStorage.getItem(SETTING_KEYS.apiKey)?.trim());
    const endpoint = localStorage.getItem(SETTING_KEYS.baseUrl)?.trim() || GEOAPIFY_BASE_URL;
    const emulated =
      !hasKey && typeof GEOBATCH_EMULATOR_PATH === "string" && GEOBATCH_EMULATOR_PATH;
    const key = hasKey
      ? "API key set"
      : emulated
        ? "No API key: this dev build answers from the emulator"
        : "No API key set: cells will ask for one";
    this.state.textContent = `${key} · ${emulated ? GEOBATCH_EMULATOR_PATH : endpoint}${note ? ` · ${note}` : ""}`;
    this.state.classList.toggle("settings-missing", !hasKey && !emulated);
  }
}
