import { describe, expect, it } from "vitest";
import { NUMERIC_SETTINGS } from "../../src/settings/settings";
import { cellsInSelection, cellsOfArea } from "../../src/taskpane/cell-addresses";
import {
  isGeoFormula,
  planFreeze,
  type HostAdapter,
  type HostValue,
} from "../../src/taskpane/host-adapter";
import { NUMBER_RULES, validateEndpointUrl, validateNumber } from "../../src/taskpane/validation";

describe("custom endpoint URLs", () => {
  it.each([
    ["https://geo.example.com/", "https://geo.example.com"],
    ["  https://geo.example.com/proxy/geoapify  ", "https://geo.example.com/proxy/geoapify"],
    ["http://localhost:3001", "http://localhost:3001"],
    ["http://127.0.0.1:8080/api/", "http://127.0.0.1:8080/api"],
  ])("accepts %s", (text, value) => {
    expect(validateEndpointUrl(text)).toEqual({ ok: true, value });
  });

  it.each([
    ["", /Enter the proxy's URL/],
    ["geo.example.com", /not a URL/],
    ["http://geo.example.com", /Use https:\/\//],
    ["http://192.168.1.5", /Use https:\/\//],
    ["ftp://geo.example.com", /not a URL/],
    ["javascript:alert(1)", /not a URL/],
    ["https://user:secret@geo.example.com", /user name and password/],
    ["https://geo.example.com/?apiKey=x", /\? and #/],
    ["https://geo.example.com/#x", /\? and #/],
  ])("refuses %j with a clear message", (text, message) => {
    const result = validateEndpointUrl(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });
});

describe("numbers typed in the pane", () => {
  it("answers the stored unit: seconds typed, milliseconds saved", () => {
    expect(validateNumber("90", NUMBER_RULES.jobTimeoutMs)).toEqual({ ok: true, value: 90_000 });
  });

  it("takes its bounds from the settings' own table", () => {
    for (const [key, setting] of Object.entries(NUMERIC_SETTINGS)) {
      const rule = NUMBER_RULES[key as keyof typeof NUMERIC_SETTINGS];
      expect(validateNumber(String(setting.max / rule.factor), rule)).toEqual({
        ok: true,
        value: setting.max,
      });
      expect(validateNumber(String((setting.max / rule.factor) * 1.01), rule).ok).toBe(false);
      expect(validateNumber(String(setting.min / rule.factor - 0.001), rule).ok).toBe(false);
    }
  });

  it("accepts a value in range, a decimal comma, and empty where optional", () => {
    expect(validateNumber("5", NUMBER_RULES.ratePerSecond)).toEqual({ ok: true, value: 5 });
    expect(validateNumber("2,5", NUMBER_RULES.dailyBudgetCredits)).toEqual({
      ok: true,
      value: 2.5,
    });
    expect(validateNumber(" ", NUMBER_RULES.dailyBudgetCredits)).toEqual({
      ok: true,
      value: undefined,
    });
  });

  it.each([
    ["", NUMBER_RULES.ratePerSecond, "Requests per second must be a number."],
    ["fast", NUMBER_RULES.ratePerSecond, "Requests per second must be a number."],
    ["0", NUMBER_RULES.ratePerSecond, "Requests per second must be at least 1 per second."],
    ["1.5", NUMBER_RULES.windowMs, "Batching window must be a whole number."],
    ["0.5", NUMBER_RULES.jobTimeoutMs, "Job timeout must be at least 1 second."],
    ["4000", NUMBER_RULES.foundTtlDays, "Keep found addresses must be at most 365 days."],
    ["0.4", NUMBER_RULES.dailyBudgetCredits, "Daily budget must be at least 0.5 credits."],
  ])("refuses %j", (text, rule, message) => {
    expect(validateNumber(text, rule)).toEqual({ ok: false, message });
  });
});

describe("selection and freezing", () => {
  it("finds the cells inside the selected areas, sheet names compared loosely", () => {
    const cells = ["Sheet1!B2", "Sheet1!C10", "Sheet2!B2", "'My sheet'!$D$4"];
    expect(cellsInSelection(cells, ["Sheet1!B2:C5"])).toEqual(["Sheet1!B2"]);
    expect(cellsInSelection(cells, ["sheet1!$a$1:$c$10"])).toEqual(["Sheet1!B2", "Sheet1!C10"]);
    expect(cellsInSelection(cells, ["My sheet!D4"])).toEqual(["'My sheet'!$D$4"]);
    expect(cellsInSelection(cells, ["B2"])).toEqual(["Sheet1!B2", "Sheet2!B2"]);
  });

  it("expands a selected area into its cells, row by row, keeping the sheet's name", () => {
    expect(cellsOfArea("'My sheet'!$Y$2:$AA$3")).toEqual([
      "'My sheet'!Y2",
      "'My sheet'!Z2",
      "'My sheet'!AA2",
      "'My sheet'!Y3",
      "'My sheet'!Z3",
      "'My sheet'!AA3",
    ]);
    expect(cellsOfArea("B2")).toEqual(["B2"]);
    expect(cellsOfArea("not a range")).toEqual([]);
  });

  it("freezes GEO cells with their values (a spill whole), not other cells, not failed ones", async () => {
    const entity = { type: "Entity", text: "Paris" };
    const cells: Record<string, [string, HostValue[][]]> = {
      "Sheet1!B2": ["=GEO.LOCATION(A2)", [[48.85, 2.35]]],
      "Sheet1!C2": ["", [[2.35]]],
      "Sheet1!D2": ["=SUM(1,2)", [[3]]],
      "Sheet1!E2": ["=geo.place(A2)", [[entity]]],
      "Sheet1!F2": ["=GEO.LAT(A2)", [[{ type: "Error", basicValue: "#N/A" }]]],
      "Sheet1!G2": ["Paris", [["Paris"]]],
    };
    const host: HostAdapter = {
      selectCell: async () => undefined,
      selectedAddresses: async () => Object.keys(cells),
      recalculate: async () => undefined,
      readFormulas: async (addresses) => addresses.map((address) => cells[address][0]),
      readValues: async (address) => cells[address][1],
      writeValues: async () => undefined,
    };
    expect(await planFreeze(host, Object.keys(cells))).toEqual({
      steps: [
        { address: "Sheet1!B2", values: [[48.85, 2.35]] },
        { address: "Sheet1!E2", values: [[entity]] },
      ],
      skipped: 1,
    });
  });
});

describe("GEO formulas", () => {
  it.each([
    ["=GEO.LOCATION(A2)", true],
    ["=geo.lat(A2)*2", true],
    ["=ROUND(GEO.LAT(A2), 2)", true],
    ["=_xldudf_GEO_LAT(A2)", true],
    ["=D2.Latitude", false],
    ["=MYGEO.LAT(A2)", false],
    ["GEO.LAT(A2)", false],
    ["", false],
  ])("%j calls GEO: %s", (formula, expected) => {
    expect(isGeoFormula(formula)).toBe(expected);
  });
});
