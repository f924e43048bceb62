// Answers that arrive but cannot be read: a poll is asked again (it is free) before its callers
// are told, and the job stays running and stored so that nothing is paid twice; a submit answered
// with an unreadable body (no job id to collect) is sent once more, never more; a submit that got
// no answer at all is still never repeated. On the fake clock, with the in-memory fake.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoryJobStore } from "../../src/geoapify/client";
import { UNREADABLE_POLLS_BEFORE_FAILING } from "../../src/geoapify/job";
import { advance, closeClients, harness, ofType, search, track } from "./support/client-harness";
import { answerFor, type Behaviour, type ScriptStep } from "./support/fake-geoapify";

const step = (behaviour: Behaviour): ScriptStep => ({
  behaviour,
  latencyMs: 1,
  jobMs: 50,
  variant: 0,
});
const found = (input: string) => expect.objectContaining(answerFor(input) ?? {});
const INPUTS = ["1 Baker St London", "2 Baker St London", "Nowhere Lane"];
const EXPECTED = () => [found(INPUTS[0]), found(INPUTS[1]), null];

describe("unreadable answers", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    closeClients();
    vi.useRealTimers();
  });

  it("submits once more when the submit's answer is cut off, and every input is answered", async () => {
    const { fake, client, events } = harness({ fake: { script: [step("cut-off")] } });
    const call = track(client.run(search(INPUTS)));
    await advance(10_000);
    expect(call.value).toEqual(EXPECTED());
    expect(fake.submits.map((request) => request.status)).toEqual([202, 202]);
    expect(ofType(events, "job-failed")).toMatchObject([{ error: "malformed", jobId: undefined }]);
  });

  it("submits at most twice when every submit's answer is cut off, then fails as malformed", async () => {
    const script = Array<ScriptStep>(6).fill(step("cut-off"));
    const { fake, client } = harness({ fake: { script } });
    const call = track(client.run(search(INPUTS)));
    await advance(60_000);
    expect(call.error).toMatchObject({ kind: "malformed" });
    expect(fake.submits).toHaveLength(2);
    expect(fake.polls).toHaveLength(0);
  });

  it("counts the second submit against the budget gate like the first", async () => {
    const admitted: number[] = [];
    const { client } = harness({
      fake: { script: [step("cut-off")] },
      client: { admit: (inputs) => (admitted.push(inputs), inputs) },
    });
    const call = track(client.run(search(INPUTS)));
    await advance(10_000);
    expect(call.value).toEqual(EXPECTED());
    expect(admitted).toEqual([3, 3]);
  });

  it("reads a body that breaks off mid-stream as an unreadable answer, not as no answer", async () => {
    const { fake, another } = harness();
    let broken = 0;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const response = await fake.fetch(input, init);
      const method = input instanceof Request ? input.method : init?.method;
      if (method !== "POST" || broken++ > 0) return response;
      const half = new TextEncoder().encode((await response.text()).slice(0, 10));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half);
          controller.error(new TypeError("terminated"));
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const call = track(another({ fetch }).run(search(INPUTS)));
    await advance(10_000);
    expect(call.value).toEqual(EXPECTED());
    expect(fake.submits).toHaveLength(2);
  });

  it("still never repeats a submit that got no answer", async () => {
    const { fake, client } = harness({ fake: { script: [step("drop")] } });
    const call = track(client.run(search(INPUTS)));
    await advance(10_000);
    expect(call.error).toMatchObject({ kind: "network" });
    expect(fake.submits).toHaveLength(1);
  });

  it("polls again after two cut-off polls in a row, and every input is answered", async () => {
    const script = [step("ok"), step("cut-off"), step("cut-off")];
    const { fake, client } = harness({ fake: { script } });
    const call = track(client.run(search(INPUTS)));
    await advance(10_000);
    expect(call.value).toEqual(EXPECTED());
    expect(fake.submits).toHaveLength(1);
    expect(fake.polls.map((request) => request.status)).toEqual([200, 200, 200]);
  });

  it("polls again after a poll answer that is not JSON at all", async () => {
    const { client } = harness({ fake: { script: [step("ok"), step("malformed")] } });
    const call = track(client.run(search(INPUTS)));
    await advance(10_000);
    expect(call.value).toEqual(EXPECTED());
  });

  it("tells the callers after a few unreadable polls, keeps the job stored, and a recalculation collects it without paying again", async () => {
    const store = memoryJobStore();
    const script = [
      step("ok"),
      ...Array<ScriptStep>(UNREADABLE_POLLS_BEFORE_FAILING).fill(step("cut-off")),
    ];
    const { fake, client } = harness({ fake: { script }, client: { jobStore: store } });
    const first = track(client.run(search(INPUTS)));
    for (let turn = 0; turn < 100 && !first.settled; turn++) await advance(10);
    expect(first.error).toMatchObject({ kind: "malformed" });
    expect(fake.polls).toHaveLength(UNREADABLE_POLLS_BEFORE_FAILING);
    expect(await store.list()).toHaveLength(1);

    const again = track(client.run(search(INPUTS)));
    await advance(10_000);
    expect(again.value).toEqual(EXPECTED());
    expect(fake.submits).toHaveLength(1);
    expect(await store.list()).toHaveLength(0);
  });
});
