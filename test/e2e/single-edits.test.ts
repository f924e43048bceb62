// Instant single edits in the workbench against the emulator: with the switch saved on, one new
// address typed into a cell settles after one single lookup and no job; with it off (the
// default), the same edit goes as a batch job. Assertions are about the cell and the emulator's
// request counts, never about time.

import { describe, expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { forwardMismatches, typeColumn } from "./e2e-support";
import { readCells, useE2E, waitForIdle } from "./harness";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.2 } });
const ADDRESS = "7 Typed Road, Springfield, US";

async function editOneCell(singleEdits: boolean): Promise<unknown[][]> {
  const storage = singleEdits
    ? { ...e2e.settings, [SETTING_KEYS.singleEdits]: "true" }
    : e2e.settings;
  const { page, errors } = await e2e.openWorkbench({ storage });
  await typeColumn(page, [ADDRESS], (row) => `=GEO.LOCATION(A${row})`);
  await waitForIdle(page, 30_000);
  expect(errors).toEqual([]);
  return readCells(page, "B2:C2");
}

describe("a single edit", () => {
  it("with the switch on, settles after one single lookup and no job", async () => {
    const cells = await editOneCell(true);
    expect(forwardMismatches(cells, [ADDRESS])).toEqual([]);
    const counts = e2e.emulator.counts();
    expect(counts.single).toBe(1);
    expect(counts.submit).toBe(0);
  });

  it("with the switch off, goes as a batch job", async () => {
    const cells = await editOneCell(false);
    expect(forwardMismatches(cells, [ADDRESS])).toEqual([]);
    const counts = e2e.emulator.counts();
    expect(counts.single).toBe(0);
    expect(counts.submit).toBe(1);
  });
});
