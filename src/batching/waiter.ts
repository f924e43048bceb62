// One caller of Batcher.load(), waiting for its key's value. `E` is the batcher's slot for the
// key (shared by every waiter of that key).

/**
 * One load() call. It is its own abort listener (handleEvent), so a load costs this object and
 * the promise executor, not an extra closure.
 */
export class Waiter<E, V> implements EventListenerObject {
  constructor(
    readonly entry: E,
    private readonly resolve: (value: V) => void,
    private readonly reject: (reason: unknown) => void,
    readonly signal: AbortSignal | undefined,
    private readonly onAbort: (waiter: Waiter<E, V>) => void
  ) {
    signal?.addEventListener("abort", this);
  }

  handleEvent(): void {
    this.onAbort(this);
  }

  // Both settle paths detach from the signal so that a long-lived signal (one per sheet, say)
  // does not keep every settled waiter alive.
  fulfil(value: V): void {
    this.signal?.removeEventListener("abort", this);
    this.resolve(value);
  }

  fail(reason: unknown): void {
    this.signal?.removeEventListener("abort", this);
    this.reject(reason);
  }
}
