// How long a batch waits for more keys: its window. The plain window is windowMs from the batch's
// first key, enough for the cells of one small recalculation, which Excel hands over at once. A
// large recalculation hands its cells over for longer than that, and cutting a partial batch per
// window would send jobs that a few more milliseconds would have filled; two rules keep it whole:
// - after a full batch was cut, the next window is stretched to twice the time that batch took to
//   fill (at least windowAfterFullMs, at most STREAM_WINDOW_BOUND times it), for a page too busy
//   to hand cells over within one window;
// - while new keys keep arriving, the window runs on until it has seen none for as long as it
//   first lasted (a debounce: windowMs, or the stretched window), at most maxWindowMs after the
//   batch's first key.
// Times are performance.now() readings.

/** The stretched window grows with a slow page up to this many times windowAfterFullMs. */
const STREAM_WINDOW_BOUND = 5;
/** A timer may fire this much early by performance.now(): a shorter wait ends the window. */
const TIMER_SLACK_MS = 1;

export class BatchWindow {
  /** When the last full batch was cut, and the window of a batch that starts soon after it. */
  #lastFullCutAt = -Infinity;
  #streamWindowMs = 0;
  #lastNewKeyAt = -Infinity;
  /** How long the current batch's window first lasted. */
  #openedForMs = 0;

  constructor(
    private readonly windowMs: number,
    private readonly windowAfterFullMs: number,
    private readonly maxWindowMs: number
  ) {}

  /** A new key was queued at `at`; if it is the batch's first, returns the window it opens. */
  keyQueued(at: number, first: boolean): number {
    this.#lastNewKeyAt = at;
    if (first) {
      const streaming = at - this.#lastFullCutAt < this.#streamWindowMs;
      this.#openedForMs = streaming ? this.#streamWindowMs : this.windowMs;
    }
    return this.#openedForMs;
  }

  /** A full batch, whose first key was queued at `firstKeyAt`, was cut at `now`. */
  fullBatchCut(firstKeyAt: number, now: number): void {
    // A page that took long to hand over this batch's keys will take about as long for the next
    // one's: wait for them up to twice that, within the bound.
    this.#streamWindowMs = Math.min(
      Math.max(this.windowAfterFullMs, 2 * (now - firstKeyAt)),
      STREAM_WINDOW_BOUND * this.windowAfterFullMs
    );
    this.#lastFullCutAt = now;
  }

  /** Once a batch's opening window has elapsed: how much longer it runs on (0: it has ended). */
  runsOnMs(firstKeyAt: number, now: number): number {
    if (this.maxWindowMs <= this.#openedForMs) return 0;
    const endsAt = Math.min(this.#lastNewKeyAt + this.#openedForMs, firstKeyAt + this.maxWindowMs);
    return endsAt - now >= TIMER_SLACK_MS ? endsAt - now : 0;
  }
}
