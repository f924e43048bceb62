// What Excel reads before it runs any code: functions.json (generated from the JSDoc of
// src/functions/functions.ts, as the build does) and the manifest.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { generateCustomFunctionsMetadata } from "custom-functions-metadata";
import { describe, expect, it } from "vitest";
import { checkManifest } from "../../src/dev/manifest-check";

interface ParameterMetadata {
  name: string;
  type?: string;
  dimensionality?: string;
  optional?: boolean;
}

interface FunctionMetadata {
  id: string;
  name: string;
  description: string;
  result: { type?: string; dimensionality?: string };
  parameters: ParameterMetadata[];
  options: { cancelable?: boolean; requiresAddress?: boolean };
}

describe("functions.json", async () => {
  const generated = await generateCustomFunctionsMetadata("src/functions/functions.ts");
  const metadata = JSON.parse(generated.metadataJson) as {
    allowCustomDataForDataTypeAny?: boolean;
    functions: FunctionMetadata[];
  };
  const byId = new Map(metadata.functions.map((fn) => [fn.id, fn]));

  /** A parameter as the metadata declares it: "name", "name?" when optional, "[]" for a range. */
  function signature(fn: FunctionMetadata): string[] {
    return fn.parameters.map(
      (p) => `${p.name}${p.dimensionality === "matrix" ? "[]" : ""}${p.optional ? "?" : ""}`
    );
  }

  it("is generated without errors", () => {
    expect(generated.errors).toEqual([]);
  });

  it("declares every function, each cancelable and told its cell's address", () => {
    expect([...byId.keys()]).toEqual([
      "LOCATION",
      "LAT",
      "LON",
      "ADDRESS",
      "DETAILS",
      "DISTANCE",
      "REVERSE",
      "PLACE",
    ]);
    for (const fn of metadata.functions) {
      expect(fn.name, fn.id).toBe(fn.id);
      expect(fn.options, fn.id).toEqual({ cancelable: true, requiresAddress: true });
      expect(fn.description.length, fn.id).toBeGreaterThan(20);
      // Every parameter accepts anything: the functions validate, so errors can say what to fix.
      for (const parameter of fn.parameters) expect(parameter.type, fn.id).toBe("any");
    }
  });

  it.each([
    ["LOCATION", ["address", "country?", "language?"]],
    ["LAT", ["address", "country?", "language?"]],
    ["LON", ["address", "country?", "language?"]],
    ["ADDRESS", ["address", "country?", "language?"]],
    ["DETAILS", ["address", "fields[]?", "country?", "language?"]],
    ["DISTANCE", ["from[]", "to[]", "unit?"]],
    ["REVERSE", ["lat", "lon", "fields[]?", "language?"]],
    ["PLACE", ["address", "country?", "language?"]],
  ])("declares %s(%j), optional parameters after required ones", (id, parameters) => {
    expect(signature(byId.get(id)!)).toEqual(parameters);
  });

  it.each([
    ["LOCATION", { dimensionality: "matrix", type: "number" }],
    ["LAT", { type: "number" }],
    ["LON", { type: "number" }],
    ["ADDRESS", { type: "string" }],
    ["DETAILS", { dimensionality: "matrix" }],
    ["DISTANCE", { type: "number" }],
    ["REVERSE", { dimensionality: "matrix" }],
    // No type is "any": one value that may be an entity.
    ["PLACE", {}],
  ])("declares the result of %s as %j", (id, result) => {
    expect(byId.get(id)!.result).toEqual(result);
  });

  it("allows custom data (entities) for results of type any, which PLACE returns", () => {
    expect(metadata.allowCustomDataForDataTypeAny).toBe(true);
  });

  it("keeps the description of LOCATION", () => {
    expect(byId.get("LOCATION")!.description).toMatch(/latitude and longitude/i);
  });
});

describe("the build's functions.json", () => {
  it("comes from the generator tested above: the webpack plugin resolves the same package", () => {
    const require = createRequire(import.meta.url);
    const plugin = dirname(require.resolve("custom-functions-metadata-plugin"));
    expect(require.resolve("custom-functions-metadata", { paths: [plugin] })).toBe(
      require.resolve("custom-functions-metadata")
    );
  });
});

describe("manifest.xml", () => {
  const manifest = readFileSync("manifest.xml", "utf8");

  it("passes the offline checks", () => {
    expect(checkManifest(manifest)).toEqual([]);
  });

  it("is caught when it breaks the shared runtime", () => {
    const shortLived = manifest.replace('lifetime="long"', 'lifetime="short"');
    expect(checkManifest(shortLived)).toContainEqual(expect.stringContaining("lifetime"));
    const withTaskpaneId = manifest.replace(
      '<Action xsi:type="ShowTaskpane">',
      '<Action xsi:type="ShowTaskpane"><TaskpaneId>GeoBatch</TaskpaneId>'
    );
    expect(checkManifest(withTaskpaneId)).toContainEqual(expect.stringContaining("TaskpaneId"));
    const otherNamespace = manifest.replace('DefaultValue="GEO"', 'DefaultValue="GEOX"');
    expect(checkManifest(otherNamespace)).toContainEqual(expect.stringContaining("GEO"));
  });

  it("is caught with an undefined resource or a plain-HTTP URL", () => {
    const undefinedResid = manifest.replace('resid="Functions.Script.Url"', 'resid="Nope.Url"');
    expect(checkManifest(undefinedResid)).toContainEqual(expect.stringContaining("Nope.Url"));
    const plainHttp = manifest.replace(
      "https://localhost:3000/functions.json",
      "http://localhost:3000/functions.json"
    );
    expect(checkManifest(plainHttp)).toContainEqual(expect.stringContaining("HTTPS"));
  });

  it("rejects dev-server URLs in a production manifest", () => {
    expect(checkManifest(manifest, { production: true }).length).toBeGreaterThan(0);
    const deployed = manifest.replaceAll("https://localhost:3000/", "https://addin.example.org/");
    expect(checkManifest(deployed, { production: true })).toEqual([]);
  });
});
