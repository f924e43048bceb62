// The Connection and Credits sections: the key (masked, show/hide, check), the endpoint, the
// plan's rate, and today's credits with the budget. They write settings through the runtime port
// and report to the view model; they never talk to Geoapify themselves.

import { button, el, messageLine, say, section } from "./dom";
import { textOf, type FluentInput } from "./fluent";
import type { HostAdapter } from "./host-adapter";
import type { Runtime } from "./runtime-port";
import { NUMBER_RULES, validateEndpointUrl, validateNumber } from "./validation";
import type { PaneModel } from "./view-model";
import { words } from "./wording";

const ENDPOINTS = {
  global: "https://api.geoapify.com",
  eu: "https://api-eu.geoapify.com",
} as const;

export interface SectionContext {
  model: PaneModel;
  runtime: Runtime;
  host: () => HostAdapter | undefined;
  /** Recalculates these cells through the host; answers how many were asked for. */
  recalculate: (cells: string[]) => Promise<number>;
}

function textInput(
  id: string,
  label: string,
  attributes: Record<string, string> = {}
): FluentInput {
  return el("fluent-text-input", { id, ...attributes }, label) as FluentInput;
}

export class ConnectionSection {
  readonly element: HTMLElement;
  readonly credits: HTMLElement;
  readonly keyInput: FluentInput;
  readonly rateInput: FluentInput;
  readonly budgetInput: FluentInput;
  private readonly keyMessage = messageLine("key-message");
  private readonly endpointMessage = messageLine("endpoint-message");
  private readonly rateMessage = messageLine("rate-message");
  private readonly budgetMessage = messageLine("budget-message");
  private readonly spentLine = el("p", { id: "credits-spent" });
  private readonly perCellLine = el("p", { id: "credits-per-cell" });
  private readonly endpointSelect: HTMLSelectElement;
  private readonly customUrl: FluentInput;
  private readonly gatewayHint = el("p", { class: "hint", id: "gateway-hint" });
  /** The pane's own daily budget, which a team gateway replaces with its user's. */
  private readonly budgetSetting: HTMLElement;

  constructor(private readonly context: SectionContext) {
    this.keyInput = textInput("api-key", words.connection.keyLabel, {
      type: "password",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: words.connection.keyPlaceholder,
    });
    const toggle = button("toggle-key", words.connection.show, "subtle");
    toggle.addEventListener("click", () => {
      const shown = this.keyInput.type === "password";
      this.keyInput.type = shown ? "text" : "password";
      toggle.textContent = shown ? words.connection.hide : words.connection.show;
    });
    const save = button("save-key", words.connection.save, "primary");
    save.addEventListener("click", () => void this.saveKey());
    const check = button("check-key", words.connection.checkKey);
    check.addEventListener("click", () => void this.checkKey());

    // A native select: keyboard and screen-reader behaviour for free, styled with Fluent's tokens.
    this.endpointSelect = el(
      "select",
      { id: "endpoint" },
      ...Object.entries(words.connection.endpoints).map(([value, label]) =>
        el("option", { value }, label)
      )
    );
    this.customUrl = textInput("custom-url", words.connection.customUrlLabel, {
      placeholder: "https://geo.example.com",
    });
    this.customUrl.hidden = true;
    this.endpointSelect.addEventListener("change", () => {
      this.showEndpointChoice();
      say(this.endpointMessage, "");
    });
    const saveEndpoint = button("save-endpoint", words.connection.saveEndpoint);
    saveEndpoint.addEventListener("click", () => void this.saveEndpoint());

    this.rateInput = textInput("rate", words.connection.rateLabel, { inputmode: "decimal" });
    const saveRate = button("save-rate", words.connection.saveRate);
    saveRate.addEventListener("click", () => void this.saveRate());

    this.element = section(
      "connection",
      words.connection.heading,
      el("div", { class: "row" }, this.keyInput, toggle),
      el("div", { class: "row" }, save, check),
      this.keyMessage,
      el("p", { class: "hint" }, words.connection.keyHint),
      el("label", { for: "endpoint", class: "label" }, words.connection.endpointLabel),
      this.endpointSelect,
      this.customUrl,
      this.gatewayHint,
      saveEndpoint,
      this.endpointMessage,
      el("div", { class: "row" }, this.rateInput, saveRate),
      this.rateMessage
    );

    this.budgetInput = textInput("budget", words.credits.budgetLabel, { inputmode: "decimal" });
    const saveBudget = button("save-budget", words.credits.saveBudget);
    saveBudget.addEventListener("click", () => void this.saveBudget());
    this.budgetSetting = el(
      "div",
      { id: "budget-setting" },
      el("div", { class: "row" }, this.budgetInput, saveBudget),
      this.budgetMessage
    );
    this.credits = section(
      "credits",
      words.credits.heading,
      this.spentLine,
      this.perCellLine,
      this.budgetSetting
    );
  }

  /** Fills the fields from the saved settings; a field already typed in keeps its text. */
  async load(): Promise<void> {
    const { runtime, model } = this.context;
    const [key, endpoint, limits] = await Promise.all([
      runtime.apiKey().catch(() => ""),
      runtime.endpoint().catch(() => undefined),
      runtime.limits().catch(() => undefined),
    ]);
    this.keyInput.value ||= key;
    if (!endpoint) model.setKey("missing");
    if (endpoint && !endpoint.emulated) {
      const choice = Object.entries(ENDPOINTS).find(([, url]) => url === endpoint.baseUrl)?.[0];
      this.endpointSelect.value = endpoint.gateway ? "gateway" : (choice ?? "custom");
      if (!choice) this.customUrl.value = endpoint.baseUrl;
    }
    this.showEndpointChoice();
    if (limits) {
      this.rateInput.value ||= String(limits.ratePerSecond);
      this.budgetInput.value ||= limits.dailyBudgetCredits?.toString() ?? "";
    }
  }

  render(): void {
    const { model } = this.context;
    const credits = model.credits;
    this.spentLine.textContent = !credits
      ? words.credits.none
      : credits.user !== undefined
        ? words.credits.gatewaySpent(credits.user, credits.spent, credits.day, credits.budget)
        : words.credits.spent(credits.spent, credits.day);
    this.perCellLine.textContent = words.credits.perCell(model.cellsGeocoded());
  }

  private async saveKey(): Promise<void> {
    const { runtime, model } = this.context;
    const key = textOf(this.keyInput).trim();
    try {
      await runtime.setApiKey(key);
    } catch {
      say(this.keyMessage, words.connection.saveFailed, true);
      return;
    }
    model.setKey(key ? "unchecked" : "missing");
    if (!key) {
      say(this.keyMessage, words.connection.removed);
      return;
    }
    const retried = await this.context.recalculate(model.cellsNeedingKey());
    say(this.keyMessage, words.connection.saved(retried));
  }

  async checkKey(): Promise<void> {
    const { runtime, model } = this.context;
    if (textOf(this.keyInput).trim() !== (await runtime.apiKey())) await this.saveKey();
    say(this.keyMessage, words.connection.checking);
    const gateway = (await runtime.endpoint().catch(() => undefined))?.gateway;
    const answers = gateway ? words.connection.checkToken : words.connection.check;
    try {
      const result = await runtime.checkKey();
      model.setKey(result);
      say(this.keyMessage, answers[result], result !== "valid");
      if (result === "valid") await this.refreshCredits();
    } catch {
      say(this.keyMessage, answers.failed, true);
    }
  }

  /** The URL field for a proxy or a gateway; a gateway's key is the user's gateway token. */
  private showEndpointChoice(): void {
    const choice = this.endpointSelect.value;
    const gateway = choice === "gateway";
    this.customUrl.hidden = choice !== "custom" && !gateway;
    this.customUrl.textContent = gateway
      ? words.connection.gatewayUrlLabel
      : words.connection.customUrlLabel;
    this.keyInput.textContent = gateway ? words.connection.tokenLabel : words.connection.keyLabel;
    this.keyInput.setAttribute(
      "placeholder",
      gateway ? words.connection.tokenPlaceholder : words.connection.keyPlaceholder
    );
    this.gatewayHint.textContent = gateway ? words.connection.gatewayHint : "";
    this.gatewayHint.hidden = !gateway;
    this.budgetSetting.hidden = gateway;
  }

  private async saveEndpoint(): Promise<void> {
    const choice = this.endpointSelect.value;
    let url: string | undefined;
    if (choice === "custom" || choice === "gateway") {
      const checked = validateEndpointUrl(textOf(this.customUrl));
      if (!checked.ok) {
        say(this.endpointMessage, checked.message, true);
        return;
      }
      url = checked.value;
    } else if (choice === "eu") {
      url = ENDPOINTS.eu;
    }
    // The global endpoint is the default: saving it removes the setting.
    await this.context.runtime.setEndpointKind(choice === "gateway" ? "gateway" : "geoapify");
    await this.context.runtime.setBaseUrl(url);
    say(this.endpointMessage, words.connection.endpointSaved);
    await this.refreshCredits();
  }

  private async saveRate(): Promise<void> {
    const checked = validateNumber(textOf(this.rateInput), NUMBER_RULES.ratePerSecond);
    if (!checked.ok) return say(this.rateMessage, checked.message, true);
    await this.context.runtime.setNumber("ratePerSecond", checked.value);
    say(this.rateMessage, words.connection.rateSaved);
  }

  private async saveBudget(): Promise<void> {
    const checked = validateNumber(textOf(this.budgetInput), NUMBER_RULES.dailyBudgetCredits);
    if (!checked.ok) return say(this.budgetMessage, checked.message, true);
    await this.context.runtime.setNumber("dailyBudgetCredits", checked.value);
    say(
      this.budgetMessage,
      checked.value === undefined ? words.credits.budgetRemoved : words.credits.budgetSaved
    );
    await this.refreshCredits();
  }

  /** Today's credits as counted for the saved endpoint: a team gateway counts its own. */
  private async refreshCredits(): Promise<void> {
    const credits = await this.context.runtime.creditsToday().catch(() => undefined);
    if (!credits) return;
    this.context.model.setCredits(credits);
    this.render();
  }
}
