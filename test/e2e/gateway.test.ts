// The real add-in in Chromium through the team gateway (issue 17): the workbench's settings point
// at a gateway replica with a user's token, exactly as at Geoapify (the gateway speaks its API),
// and a small sheet fills with the emulator's answers; a colleague's identical sheet is answered
// from the gateway's shared cache without a request upstream.

import { expect, it } from "vitest";
import { SETTING_KEYS } from "../../src/settings/settings";
import { addUser } from "../gateway/support";
import { forwardMismatches, useGatewayReplica } from "./e2e-support";
import { readCells, typeSheet, useE2E } from "./harness";

const e2e = useE2E({
  emulator: { rateLimitPerSecond: 5, latencyMs: 5, jobBaseMs: 100, jobPerAddressMs: 0.05 },
});
const gateway = useGatewayReplica(e2e);

const addresses = Array.from({ length: 30 }, (_, i) => `${i + 1} Gateway Lane, Springfield`);

async function fillSheet(user: string) {
  const token = await addUser(gateway.redis.url, user);
  const { page, errors } = await e2e.openWorkbench({
    storage: { [SETTING_KEYS.apiKey]: token, [SETTING_KEYS.baseUrl]: gateway.replica.url },
  });
  await typeSheet(page, addresses, { idleTimeoutMs: 60_000 });
  expect(forwardMismatches(await readCells(page, "B2:C31"), addresses)).toEqual([]);
  expect(errors).toEqual([]);
}

it("fills a sheet through the gateway with a user's token; a colleague's costs nothing", async () => {
  await fillSheet("ada");
  const submitted = e2e.emulator.jobsSubmitted().flat();
  expect([...submitted].sort()).toEqual([...addresses].sort());
  const upstream = e2e.emulator.counts().total;

  await fillSheet("grace");
  expect(e2e.emulator.counts().total).toBe(upstream);
});
