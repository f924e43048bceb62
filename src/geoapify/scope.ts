// One signal for everything a call does: the caller's abort and the job deadline both end every
// wait and every request in flight at once, and the signal's reason says which of them it was.

import type { GeoapifyError } from "./errors";
import { failures } from "./failures";

export class CallScope {
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #deadlineTimer: ReturnType<typeof setTimeout>;
  /** `performance.now()` at which the call times out. */
  readonly #deadline: number;

  constructor(callerSignal: AbortSignal | undefined, timeoutMs: number) {
    this.#callerSignal = callerSignal;
    if (callerSignal?.aborted) {
      this.#controller.abort(failures.aborted());
    } else {
      callerSignal?.addEventListener("abort", this.#onCallerAbort, { once: true });
    }
    this.#deadline = performance.now() + timeoutMs;
    this.#deadlineTimer = setTimeout(() => this.#controller.abort(failures.timeout()), timeoutMs);
  }

  /** Aborts when the caller aborts or the deadline passes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Milliseconds left until the deadline. */
  remainingMs(): number {
    return this.#deadline - performance.now();
  }

  /** Throws the "aborted" or "timeout" error if the scope has ended. */
  throwIfEnded(): void {
    if (this.signal.aborted) {
      throw this.signal.reason as GeoapifyError;
    }
  }

  /**
   * Why the call failed: once the scope has ended, whatever a request or a wait threw is only a
   * consequence of the abort (fetch rejects with its own AbortError), so the scope's reason wins.
   */
  explain(error: unknown): unknown {
    return this.signal.aborted ? this.signal.reason : error;
  }

  /** Resolves after `ms`, or rejects with the scope's reason as soon as it ends. */
  wait(ms: number): Promise<void> {
    const signal = this.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Releases the deadline timer and the caller's listener; call once the call has settled. */
  dispose(): void {
    clearTimeout(this.#deadlineTimer);
    this.#callerSignal?.removeEventListener("abort", this.#onCallerAbort);
  }

  readonly #onCallerAbort = () => {
    this.#controller.abort(failures.aborted());
  };
}
