// `npm start -- --gateway` has the dev server answer /dev-preset.json with settings for the
// team gateway it started (its URL, that it is a gateway, a demo user's token). They are applied
// only when no key is saved, so a user's own settings always win.

import { SETTING_KEYS } from "../../settings/settings";

export async function applyDevPreset(): Promise<void> {
  if (localStorage.getItem(SETTING_KEYS.apiKey)?.trim()) return;
  try {
    const answer = await fetch("/dev-preset.json");
    if (!answer.ok) return;
    const preset = (await answer.json()) as Record<string, unknown>;
    for (const [key, value] of Object.entries(preset)) {
      if (typeof value === "string") localStorage.setItem(key, value);
    }
  } catch {
    // No preset: the workbench runs on its own settings.
  }
}
