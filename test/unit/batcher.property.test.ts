import { getEventListeners } from "node:events";
import fc from "fast-check";
import { expect, it, vi } from "vitest";
import { type BatchContext, Batcher, BatcherClosedError } from "../../src/batching/batcher";

// Random interleavings of loads, aborts, time and batch outcomes, checked against the batcher's
// contract after every step and once everything has drained. Seeded, so a failure reproduces.

const KEYS = ["a", "b", "c", "d", "e"] as const;

type Outcome = "values" | "key-errors" | "reject" | "wrong-length" | "not-array" | "hang";

type Command =
  /** signal: none, a fresh controller, or the controller of an earlier load (maybe aborted). */
  | { kind: "load"; key: string; signal: "none" | "fresh" | { reuse: number } }
  | { kind: "abort"; pick: number }
  | { kind: "advance"; ms: number }
  /** mask: which keys get an Error (key-errors), or which way the length is wrong. */
  | { kind: "settle"; pick: number; outcome: Outcome; mask: number };

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("load" as const),
      key: fc.constantFrom(...KEYS),
      signal: fc.oneof(
        fc.constantFrom("none" as const, "fresh" as const),
        fc.record({ reuse: fc.nat() })
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("abort" as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.integer({ min: 0, max: 80 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("settle" as const),
      pick: fc.nat(),
      outcome: fc.constantFrom<Outcome>(
        "values",
        "values",
        "key-errors",
        "reject",
        "wrong-length",
        "not-array",
        "hang"
      ),
      mask: fc.nat(),
    }),
  }
);

/** The per-key Error a batch returns, tagged so a rejection can be traced to its batch. */
class KeyError extends Error {
  constructor(
    readonly key: string,
    readonly batchId: number
  ) {
    super(`no result for ${key}`);
  }
}

class BatchError extends Error {
  constructor(readonly batchId: number) {
    super(`batch ${batchId} failed`);
  }
}

interface RecordedBatch {
  keys: readonly string[];
  context: BatchContext;
  resolve: (results: unknown) => void;
  reject: (error: unknown) => void;
  /** How the test answered; undefined while unanswered. */
  outcome?: Outcome;
  /** What the batch function resolved to, for values and key-errors. */
  results?: unknown[];
  /** When the batch function's promise settled; undefined while it runs. */
  settledAtStep?: number;
}

interface LoadRecord {
  key: string;
  step: number;
  controller?: AbortController;
  /** Its signal was aborted while the load was pending. */
  cancelled: boolean;
  /** It was pending, and not cancelled, when close() was called. */
  pendingAtClose: boolean;
  status: "pending" | "fulfilled" | "rejected";
  value?: unknown;
  reason?: unknown;
}

interface Config {
  windowMs: number;
  maxBatchSize: number;
  maxConcurrentBatches: number;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const valueFor = (key: string, batchId: number): string => `${key}#${batchId}`;

/** A batch the batcher still runs for someone: neither settled nor aborted. */
const isLive = (batch: RecordedBatch): boolean =>
  batch.settledAtStep === undefined && !batch.context.signal.aborted;

async function run(config: Config, commands: Command[], closeAfterStep: number | null) {
  const batches: RecordedBatch[] = [];
  const loads: LoadRecord[] = [];
  // Collected rather than thrown: inside the batch function a throw would only fail the batch.
  const violations: string[] = [];
  let unsettledCalls = 0;
  let step = 0;
  let closeError: Error | undefined;
  let closedAtStep = Infinity;

  const wanted = (key: string): boolean =>
    loads.some((load) => load.key === key && load.status === "pending" && !load.cancelled);

  const batcher = new Batcher<string, string>({
    ...config,
    batch: (keys, context) => {
      unsettledCalls++;
      if (unsettledCalls > config.maxConcurrentBatches) violations.push("too many batches");
      if (keys.length === 0 || keys.length > config.maxBatchSize) violations.push("batch size");
      if (new Set(keys).size !== keys.length) violations.push(`duplicate key in ${keys}`);
      if (context.batchId !== batches.length + 1) violations.push("batch ids out of order");
      for (const key of keys) {
        if (!wanted(key)) violations.push(`step ${step}: ${key} sent with no live waiter`);
        if (batches.some((batch) => isLive(batch) && batch.keys.includes(key))) {
          violations.push(`step ${step}: ${key} sent while already in flight`);
        }
      }
      return new Promise((resolve, reject) => {
        batches.push({
          keys: [...keys],
          context,
          resolve: resolve as (r: unknown) => void,
          reject,
        });
      });
    },
    onEvent: () => {
      throw new Error("listeners that throw are ignored");
    },
  });

  const settleCall = (batch: RecordedBatch, settle: () => void): void => {
    if (batch.settledAtStep !== undefined) return;
    batch.settledAtStep = step;
    unsettledCalls--;
    settle();
  };

  const answer = (batch: RecordedBatch, outcome: Outcome, mask: number): void => {
    const id = batch.context.batchId;
    const values = batch.keys.map((key) => valueFor(key, id));
    batch.outcome = outcome;
    switch (outcome) {
      case "values":
      case "key-errors": {
        const results = values.map((value, i) =>
          outcome === "key-errors" && (mask >> i) & 1 ? new KeyError(batch.keys[i], id) : value
        );
        batch.results = results;
        settleCall(batch, () => batch.resolve(results));
        return;
      }
      case "reject":
        settleCall(batch, () => batch.reject(new BatchError(id)));
        return;
      case "wrong-length":
        settleCall(batch, () =>
          batch.resolve(mask % 2 ? [...values, "extra"] : values.slice(0, -1))
        );
        return;
      case "not-array":
        settleCall(batch, () => batch.resolve({ results: values }));
        return;
      case "hang": {
        // Like a job that polls until told to stop: only the batch's signal settles it.
        const stop = (): void => settleCall(batch, () => batch.reject(batch.context.signal.reason));
        if (batch.context.signal.aborted) stop();
        else batch.context.signal.addEventListener("abort", stop, { once: true });
      }
    }
  };

  /** What must hold between any two steps. */
  const checkStep = (): void => {
    const timers = vi.getTimerCount();
    const slotsFull = batcher.inFlight === config.maxConcurrentBatches;
    if (batcher.inFlight > config.maxConcurrentBatches) violations.push("too many in flight");
    if (timers > 1) violations.push(`step ${step}: ${timers} timers`);
    if (batcher.queued === 0 && timers > 0) violations.push(`step ${step}: timer while idle`);
    if (batcher.queued >= config.maxBatchSize && !slotsFull) {
      violations.push(`step ${step}: a full batch waits although a slot is free`);
    }
    if (batcher.queued > 0 && timers === 0 && !slotsFull) {
      violations.push(`step ${step}: keys past their window wait although a slot is free`);
    }
    for (const batch of batches) {
      if (isLive(batch) && !batch.keys.some(wanted)) {
        violations.push(`step ${step}: batch ${batch.context.batchId} runs for nobody`);
      }
    }
  };

  const close = (error: Error): void => {
    closeError = error;
    closedAtStep = step;
    for (const load of loads) {
      if (load.status === "pending" && !load.cancelled) load.pendingAtClose = true;
    }
    batcher.close(error);
  };

  for (const command of commands) {
    step++;
    switch (command.kind) {
      case "load": {
        const controller =
          command.signal === "fresh"
            ? new AbortController()
            : command.signal === "none" || loads.length === 0
              ? undefined
              : loads[command.signal.reuse % loads.length].controller;
        const record: LoadRecord = {
          key: command.key,
          step,
          controller,
          cancelled: controller?.signal.aborted ?? false,
          pendingAtClose: false,
          status: "pending",
        };
        loads.push(record);
        batcher.load(command.key, { signal: controller?.signal }).then(
          (value) => Object.assign(record, { status: "fulfilled", value }),
          (reason: unknown) => Object.assign(record, { status: "rejected", reason })
        );
        break;
      }
      case "abort": {
        const controllers = loads.flatMap((load) => load.controller ?? []);
        const controller = controllers[command.pick % Math.max(controllers.length, 1)];
        if (controller === undefined || controller.signal.aborted) break;
        for (const load of loads) {
          if (load.controller === controller && load.status === "pending") load.cancelled = true;
        }
        controller.abort(new Error(`aborted at step ${step}`));
        break;
      }
      case "advance":
        await vi.advanceTimersByTimeAsync(command.ms);
        break;
      case "settle": {
        const open = batches.filter((batch) => batch.outcome === undefined);
        if (open.length > 0) {
          answer(open[command.pick % open.length], command.outcome, command.mask);
        }
        break;
      }
    }
    if (step === closeAfterStep) close(new Error(`closed at step ${step}`));
    await flush();
    checkStep();
  }

  // Drain: answer everything still open and let every window elapse. Batches told to hang only
  // settle through their signal, so only they may leave close() as the way out.
  for (let round = 0; round < 50; round++) {
    step++;
    for (const batch of batches) if (batch.outcome === undefined) answer(batch, "values", 0);
    await vi.advanceTimersByTimeAsync(config.windowMs);
    await flush();
    checkStep();
    if (batcher.queued === 0 && batches.every((batch) => batch.outcome !== undefined)) break;
  }
  if (batcher.queued > 0 || batcher.inFlight > 0) {
    if (!batches.some((batch) => batch.outcome === "hang" && batch.settledAtStep === undefined)) {
      violations.push("stuck without a hanging batch");
    }
    step++;
    close(closeError ?? new BatcherClosedError());
    await flush();
  }

  expect(violations).toEqual([]);
  expect(batcher.queued).toBe(0);
  expect(batcher.inFlight).toBe(0);
  expect(unsettledCalls).toBe(0);
  expect(vi.getTimerCount()).toBe(0);

  for (const load of loads) {
    if (load.controller) expect(getEventListeners(load.controller.signal, "abort")).toEqual([]);
    // Batches this load may have joined: they hold its key and settled after it was made.
    const candidates = batches.filter(
      (batch) => batch.keys.includes(load.key) && (batch.settledAtStep ?? Infinity) > load.step
    );
    const reason = load.reason;
    if (load.step > closedAtStep) {
      expect(reason).toBe(closeError);
    } else if (load.cancelled) {
      expect(reason).toBe(load.controller?.signal.reason);
    } else if (load.pendingAtClose) {
      expect(reason).toBe(closeError);
    } else if (load.status === "fulfilled") {
      const index = (batch: RecordedBatch) => batch.keys.indexOf(load.key);
      expect(candidates.some((batch) => batch.results?.[index(batch)] === load.value)).toBe(true);
    } else if (reason instanceof KeyError) {
      expect(reason.key).toBe(load.key);
      expect(candidates.map((batch) => batch.context.batchId)).toContain(reason.batchId);
    } else if (reason instanceof BatchError) {
      expect(candidates.map((batch) => batch.context.batchId)).toContain(reason.batchId);
    } else {
      expect(load.status).toBe("rejected");
      expect(reason).toBeInstanceOf(TypeError);
      const broken = ["wrong-length", "not-array"];
      expect(candidates.some((batch) => broken.includes(batch.outcome ?? ""))).toBe(true);
    }
  }
}

it("keeps its contract under random loads, aborts, timing and batch outcomes", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        windowMs: fc.integer({ min: 0, max: 60 }),
        maxBatchSize: fc.integer({ min: 1, max: 4 }),
        maxConcurrentBatches: fc.integer({ min: 1, max: 3 }),
      }),
      fc.array(commandArbitrary, { minLength: 1, maxLength: 60, size: "max" }),
      // Closing is the exception: most runs must drain normally.
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }) }
      ),
      async (config, commands, closeAfterStep) => {
        vi.useFakeTimers();
        try {
          await run(config, commands, closeAfterStep);
        } finally {
          vi.useRealTimers();
        }
      }
    ),
    { seed: 20_240_611, numRuns: 300 }
  );
});
