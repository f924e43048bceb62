// Credits per key and UTC day: what the budget lets through, what survives a reload, and the
// reset at midnight UTC.

import { describe, expect, it } from "vitest";
import { CreditLedger, utcDay } from "../../src/runtime/credits";
import { memoryStore } from "../../src/settings/settings";

const NOON = Date.parse("2026-12-02T12:00:00Z");

describe("CreditLedger", () => {
  it("lets every input through without a budget and counts them", async () => {
    const ledger = new CreditLedger(memoryStore(), () => NOON);
    await ledger.ready();
    expect(ledger.admit("hash-a", undefined, 1000, 0.5)).toBe(1000);
    expect(ledger.spentToday("hash-a")).toBe(500);
    expect(ledger.spentToday("hash-b")).toBe(0);
  });

  it("sends up to the budget and refuses the rest", async () => {
    const ledger = new CreditLedger(memoryStore(), () => NOON);
    await ledger.ready();
    expect(ledger.admit("k", 100, 150, 0.5)).toBe(150);
    // 75 spent: 25 credits are left, which is 50 addresses at 0.5.
    expect(ledger.admit("k", 100, 80, 0.5)).toBe(50);
    expect(ledger.admit("k", 100, 1, 0.5)).toBe(0);
    expect(ledger.snapshot("k", 100)).toEqual({ day: "2026-12-02", spent: 100, budget: 100 });
  });

  it("counts a priority job at its reduced price", async () => {
    const ledger = new CreditLedger(memoryStore(), () => NOON);
    await ledger.ready();
    expect(ledger.admit("k", 10, 100, 0.25)).toBe(40);
    expect(ledger.spentToday("k")).toBe(10);
  });

  it("keeps today's counters across a reload, never the key itself", async () => {
    const store = memoryStore();
    const first = new CreditLedger(store, () => NOON);
    await first.ready();
    first.admit("hash-of-key", undefined, 10, 0.5);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const saved = (await store.getItem("geobatch.credits")) ?? "";
    expect(JSON.parse(saved)).toEqual({ day: "2026-12-02", spent: { "hash-of-key": 5 } });
    const second = new CreditLedger(store, () => NOON + 60_000);
    await second.ready();
    expect(second.spentToday("hash-of-key")).toBe(5);
  });

  it("starts from zero on a new UTC day", async () => {
    let now = NOON;
    const store = memoryStore();
    const ledger = new CreditLedger(store, () => now);
    await ledger.ready();
    ledger.admit("k", 100, 100, 0.5);
    now = Date.parse("2026-12-03T00:00:01Z");
    expect(ledger.spentToday("k")).toBe(0);
    expect(ledger.admit("k", 100, 300, 0.5)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const reloaded = new CreditLedger(store, () => Date.parse("2026-12-04T08:00:00Z"));
    await reloaded.ready();
    expect(reloaded.spentToday("k")).toBe(0);
  });

  it("names the UTC day, whatever the local time zone", () => {
    expect(utcDay(Date.parse("2026-12-02T23:59:59-05:00"))).toBe("2026-12-03");
  });
});
