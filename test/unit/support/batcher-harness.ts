// The batcher tests' fake batch function and helpers: calls the test settles by hand.

import {
  type BatchContext,
  type BatcherEvent,
  type BatcherOptions,
  Batcher,
} from "../../../src/batching/batcher";

/** One call of the fake batch function, settled by the test. */
export interface BatchCall {
  keys: string[];
  context: BatchContext;
  resolve: (results: unknown) => void;
  reject: (error: unknown) => void;
}

/** The value the fake batch function returns for a key. */
export const valueOf = (key: string): string => `value of ${key}`;

export interface Harness {
  batcher: Batcher<string, string>;
  calls: BatchCall[];
  events: BatcherEvent[];
  /** Answers a call with every key's value. */
  answer: (call: BatchCall) => void;
}

export function setup(options: Partial<BatcherOptions<string, string>> = {}): Harness {
  const calls: BatchCall[] = [];
  const events: BatcherEvent[] = [];
  const batcher = new Batcher<string, string>({
    batch: (keys, context) =>
      new Promise((resolve, reject) => {
        calls.push({ keys: [...keys], context, resolve: resolve as BatchCall["resolve"], reject });
      }),
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { batcher, calls, events, answer: (call) => call.resolve(call.keys.map(valueOf)) };
}

/** Observes a promise without ever leaving a rejection unhandled. */
export interface Outcome<T> {
  status: "pending" | "fulfilled" | "rejected";
  value?: T;
  reason?: unknown;
}
export function track<T>(promise: Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { status: "pending" };
  promise.then(
    (value) => Object.assign(outcome, { status: "fulfilled", value }),
    (reason: unknown) => Object.assign(outcome, { status: "rejected", reason })
  );
  return outcome;
}

/** Runs pending microtasks: the batch function is called, and results delivered, from them. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export function eventsOf<T extends BatcherEvent["type"]>(
  events: BatcherEvent[],
  type: T
): Extract<BatcherEvent, { type: T }>[] {
  return events.filter((event): event is Extract<BatcherEvent, { type: T }> => event.type === type);
}
