// What Excel reads of an add-in before running any of its code: functions.json (which
// functions exist, their parameters and options) and the manifest's functions namespace.

/** The parts of a functions.json entry (as custom-functions-metadata-plugin writes it) that
 * decide how Excel calls the function. */
export interface FunctionMetadata {
  id: string;
  name: string;
  parameters?: ParameterMetadata[];
  options?: FunctionOptions;
}

export interface ParameterMetadata {
  name: string;
  /** "string", "number", "boolean" or "any" (the default). */
  type?: string;
  dimensionality?: "scalar" | "matrix";
  optional?: boolean;
}

export interface FunctionOptions {
  cancelable?: boolean;
  requiresAddress?: boolean;
  requiresParameterAddresses?: boolean;
  stream?: boolean;
}

/** Where the add-in's two files that Excel reads before running any code are. */
export interface AddinFiles {
  /** functions.json. */
  metadataUrl: string;
  /** manifest.xml: it names the functions' namespace (GEO in =GEO.LOCATION). */
  manifestUrl: string;
}

/** functions.json as the host uses it. */
export interface AddinMetadata {
  functions: FunctionMetadata[];
  /** The namespace formulas prefix the functions with (GEO in =GEO.LOCATION). */
  namespace: string;
  /** Whether functions may return entities and other custom data (see ResultRules). */
  allowCustomData: boolean;
}

/** Reads functions.json and the manifest's namespace, as Excel does before loading the script. */
export async function loadMetadata(files: AddinFiles): Promise<AddinMetadata> {
  const [metadataText, manifestText] = await Promise.all([
    fetchText(files.metadataUrl),
    fetchText(files.manifestUrl),
  ]);
  let parsed: { functions?: unknown; allowCustomDataForDataTypeAny?: unknown };
  try {
    parsed = JSON.parse(metadataText) as typeof parsed;
  } catch {
    throw new Error(`${files.metadataUrl} is not JSON`);
  }
  if (!Array.isArray(parsed.functions)) {
    throw new Error(`${files.metadataUrl} has no "functions" array`);
  }
  return {
    functions: parsed.functions as FunctionMetadata[],
    namespace: manifestNamespace(manifestText, files.manifestUrl),
    allowCustomData: parsed.allowCustomDataForDataTypeAny === true,
  };
}

async function fetchText(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store" });
  } catch {
    throw new Error(`Could not fetch ${url}: is the server running?`);
  }
  if (!response.ok) {
    throw new Error(`Could not fetch ${url} (HTTP ${response.status}): run npm run build`);
  }
  return response.text();
}

/** The CustomFunctions extension point's <Namespace resid>, resolved through the resources. */
function manifestNamespace(manifestXml: string, url: string): string {
  const manifest = new DOMParser().parseFromString(manifestXml, "application/xml");
  const resid = manifest.getElementsByTagNameNS("*", "Namespace")[0]?.getAttribute("resid");
  const strings = manifest.getElementsByTagNameNS("*", "String");
  for (const string of Array.from(strings)) {
    if (resid && string.getAttribute("id") === resid) {
      const namespace = string.getAttribute("DefaultValue");
      if (namespace) return namespace;
    }
  }
  throw new Error(`${url} declares no custom functions namespace`);
}
