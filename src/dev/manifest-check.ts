// Offline checks of the add-in manifest. `office-addin-manifest validate` asks an online service;
// these rules are the ones GeoBatch depends on, and they run anywhere, CI included.

import { DOMParser } from "@xmldom/xmldom";

export interface ManifestCheckOptions {
  /** A production manifest must not point at the dev server. */
  production?: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^\d+\.\d+\.\d+\.\d+$/;

/** Problems found in the manifest, one sentence each; empty when it is fine. */
export function checkManifest(xml: string, options: ManifestCheckOptions = {}): string[] {
  const problems: string[] = [];
  const parseErrors: string[] = [];
  const document = new DOMParser({
    errorHandler: {
      error: (message) => parseErrors.push(message),
      fatalError: (message) => parseErrors.push(message),
    },
  }).parseFromString(xml, "text/xml");
  const root = document.documentElement;
  if (parseErrors.length || !root || root.localName !== "OfficeApp") {
    return [
      `The manifest is not a well-formed OfficeApp document ${parseErrors.join("; ")}`.trim(),
    ];
  }
  const all = (name: string) => Array.from(root.getElementsByTagNameNS("*", name));
  const first = (name: string) => all(name)[0] as Element | undefined;
  const text = (name: string) => first(name)?.textContent?.trim() ?? "";

  if (root.getAttribute("xsi:type") !== "TaskPaneApp")
    problems.push("OfficeApp must be a TaskPaneApp.");
  if (!GUID.test(text("Id"))) problems.push("Id must be a GUID.");
  if (!VERSION.test(text("Version"))) problems.push("Version must have four numbers (1.0.0.0).");

  const sharedRuntime = all("Set").find((set) => set.getAttribute("Name") === "SharedRuntime");
  if (sharedRuntime?.getAttribute("MinVersion") !== "1.1") {
    problems.push("Requirements must ask for SharedRuntime 1.1.");
  }

  const runtimes = all("Runtime");
  const runtime = runtimes[0];
  if (runtimes.length !== 1 || runtime.getAttribute("lifetime") !== "long") {
    problems.push('There must be one Runtime with lifetime="long" (the shared runtime).');
  }
  const runtimeResid = runtime?.getAttribute("resid") ?? "";

  const customFunctions = all("ExtensionPoint").find(
    (point) => point.getAttribute("xsi:type") === "CustomFunctions"
  );
  if (!customFunctions) {
    problems.push("There is no CustomFunctions extension point.");
  } else {
    const child = (name: string) => customFunctions.getElementsByTagNameNS("*", name)[0];
    const pageResid = child("Page")
      ?.getElementsByTagNameNS("*", "SourceLocation")[0]
      ?.getAttribute("resid");
    if (pageResid !== runtimeResid) {
      problems.push("The custom functions Page must be the shared runtime's page.");
    }
    for (const part of ["Script", "Metadata"]) {
      if (!child(part)?.getElementsByTagNameNS("*", "SourceLocation")[0]?.getAttribute("resid")) {
        problems.push(`The custom functions ${part} has no SourceLocation.`);
      }
    }
    const namespaceResid = child("Namespace")?.getAttribute("resid") ?? "";
    if (resourceValue(all, namespaceResid) !== "GEO") {
      problems.push("The custom functions namespace must be GEO.");
    }
  }

  if (first("FunctionFile")?.getAttribute("resid") !== runtimeResid) {
    problems.push("FunctionFile must use the shared runtime's page.");
  }
  for (const action of all("Action")) {
    if (action.getAttribute("xsi:type") !== "ShowTaskpane") continue;
    if (action.getElementsByTagNameNS("*", "TaskpaneId").length) {
      problems.push("A ShowTaskpane action must not have a TaskpaneId under a long-lived runtime.");
    }
    if (
      action.getElementsByTagNameNS("*", "SourceLocation")[0]?.getAttribute("resid") !==
      runtimeResid
    ) {
      problems.push("The task pane must open the shared runtime's page.");
    }
  }

  for (const element of all("*")) {
    const resid = element.getAttribute("resid");
    if (resid && resourceValue(all, resid) === undefined) {
      problems.push(`resid "${resid}" is not defined in Resources.`);
    }
  }

  for (const url of urls(all)) {
    if (!url.startsWith("https://")) problems.push(`${url} must use HTTPS.`);
    if (options.production && /\/\/localhost[:/]/.test(url)) {
      problems.push(`${url} still points at the dev server.`);
    }
  }
  return problems;
}

type Finder = (name: string) => Element[];

function resourceValue(all: Finder, id: string): string | undefined {
  const resources = ["Image", "Url", "String"].flatMap((name) => all(name));
  return (
    resources
      .find((resource) => resource.getAttribute("id") === id)
      ?.getAttribute("DefaultValue") ?? undefined
  );
}

function urls(all: Finder): string[] {
  return all("*")
    .map((element) => element.getAttribute("DefaultValue") ?? "")
    .filter((value) => /^[a-z]+:\/\//i.test(value));
}
