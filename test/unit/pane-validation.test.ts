import { describe, expect, it } from "vitest";
import { cellsInSelection, planFreeze } from "../../src/taskpane/host-adapter";
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
    ["5", NUMBER_RULES.jobTimeoutSeconds, "Job timeout must be at least 10 seconds."],
    ["4000", NUMBER_RULES.foundTtlDays, "Keep found addresses must be at most 3650 days."],
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

  it("freezes ranges holding a GEO formula with their values, leaving other formulas alone", () => {
    const entity = { type: "Entity", text: "Paris" };
    const plan = planFreeze([
      { address: "Sheet1!B2:C2", formulas: [["=GEO.LOCATION(A2)", 2.35]], values: [[48.85, 2.35]] },
      { address: "Sheet1!D2", formulas: [["=SUM(1,2)"]], values: [[3]] },
      {
        address: "Sheet1!E2:F2",
        formulas: [["=geo.place(A2)", "=A1+1"]],
        values: [[entity, 4]],
      },
    ]);
    expect(plan).toEqual([
      { address: "Sheet1!B2:C2", values: [[48.85, 2.35]] },
      { address: "Sheet1!E2:F2", values: [[entity, "=A1+1"]] },
    ]);
  });
});
