// What Excel reads before it runs any code: functions.json (generated from the JSDoc of
// src/functions/functions.ts, as the build does) and the manifest.

import { readFileSync } from "node:fs";
import { generateCustomFunctionsMetadata } from "custom-functions-metadata";
import { describe, expect, it } from "vitest";
import { checkManifest } from "../../src/dev/manifest-check";

describe("functions.json", () => {
  it("declares GEO.LOCATION: one address in, a cancelable 1×2 numeric array out", async () => {
    const generated = await generateCustomFunctionsMetadata("src/functions/functions.ts");
    expect(generated.errors).toEqual([]);
    const metadata = JSON.parse(generated.metadataJson);
    expect(metadata.functions).toHaveLength(1);
    const [location] = metadata.functions;
    expect(location).toMatchObject({
      id: "LOCATION",
      name: "LOCATION",
      result: { dimensionality: "matrix", type: "number" },
      options: { cancelable: true },
    });
    // One scalar (dimensionality omitted means scalar): Excel calls it once per cell.
    expect(location.parameters).toEqual([
      expect.objectContaining({ name: "address", type: "any" }),
    ]);
    expect(location.parameters[0].dimensionality ?? "scalar").toBe("scalar");
    expect(location.description).toMatch(/latitude and longitude/i);
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
