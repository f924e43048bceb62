import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { advance, closeClients, harness, search, track } from "./support/client-harness";
import { answerFor } from "./support/fake-geoapify";
beforeEach(() => { vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] }); });
afterEach(() => { closeClients(); vi.useRealTimers(); });
it("smoke", async () => {
  const h = harness();
  const out = track(h.client.run(search(["1 Wall Street", "Nowhere Lane"])));
  await advance(5000);
  expect(out.error).toBeUndefined();
  expect(out.value).toEqual([expect.objectContaining(answerFor("1 Wall Street")), null]);
  console.log(h.events.map(e=>JSON.stringify(e)).join("\n"));
});
