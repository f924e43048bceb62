// Answers cut off mid-JSON, end to end: the production functions.js in the workbench against the
// emulator, told through its control API to cut the body of its next submit or poll answers. A
// cut-off submit answer is submitted once more, cut-off polls are polled again, and every cell
// ends right; a submit cut off every time settles every cell with the message after two submits.
// Assertions are about cells and the emulator's request log, never about time.

import { describe, expect, it } from "vitest";
import { answered, forwardMismatches, typeColumn } from "./e2e-support";
import { readCells, useE2E, waitForIdle } from "./harness";

const e2e = useE2E({ emulator: { latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.2 } });

const addresses = (street: string) =>
  Array.from({ length: 20 }, (_, index) => `${index + 1} ${street}, Springfield, US`);
const locationFormula = (row: number) => `=GEO.LOCATION(A${row})`;

/** Sets emulator modes the way a developer would, through the loopback control API. */
async function setModes(modes: Record<string, number>): Promise<void> {
  const response = await fetch(`${e2e.emulatorUrl}/__emulator/modes`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(modes),
  });
  expect(response.status).toBe(200);
}

async function fill(street: string): Promise<{ cells: unknown[][]; inputs: string[] }> {
  const { page, errors } = await e2e.openWorkbench({ storage: e2e.settings });
  const inputs = addresses(street);
  await typeColumn(page, inputs, locationFormula);
  await waitForIdle(page, 60_000);
  expect(errors).toEqual([]);
  return { cells: await readCells(page, `B2:C${inputs.length + 1}`), inputs };
}

describe("answers cut off mid-JSON", () => {
  it("a cut-off submit answer is submitted once more, and every cell is right", async () => {
    await setModes({ cutSubmits: 1 });
    const { cells, inputs } = await fill("Cut Street");
    expect(forwardMismatches(cells, inputs)).toEqual([]);
    expect(answered(e2e.emulator, ["submit"]).map((request) => request.status)).toEqual([202, 202]);
  });

  it("two cut-off polls in a row are polled again, and every cell is right", async () => {
    await setModes({ cutPolls: 2 });
    const { cells, inputs } = await fill("Poll Street");
    expect(forwardMismatches(cells, inputs)).toEqual([]);
    expect(answered(e2e.emulator, ["submit"])).toHaveLength(1);
    expect(e2e.emulator.modes.cutPolls).toBe(0);
  });

  it("a submit cut off every time settles every cell with the message, after two submits", async () => {
    await setModes({ cutSubmits: 100 });
    const { cells, inputs } = await fill("Broken Street");
    const unreadable = {
      error: "#N/A",
      message: "Geoapify sent an unreadable answer: recalculate later",
    };
    expect(cells.map(([value]) => value)).toEqual(inputs.map(() => unreadable));
    expect(answered(e2e.emulator, ["submit"])).toHaveLength(2);
  });
});
