// A circuit breaker for the daily quota. Once Geoapify says the quota is spent, every further
// request would get the same 429 (and some plans bill for it), so calls fail at once without
// touching the network until the cooldown has passed. Then a single call is let through as a
// probe: if it succeeds the circuit closes, if the quota is still spent it opens again.

import { GeoapifyError } from "./errors";
import { failures } from "./failures";

export type CircuitState = "open" | "half-open" | "closed";

/** What `admit` hands out: settle it exactly once with the call's outcome. */
export interface CircuitPass {
  /** Whether this call is the half-open probe whose outcome decides the circuit's state. */
  readonly probe: boolean;
}

export class QuotaCircuit {
  readonly #cooldownMs: number;
  readonly #onChange: (state: CircuitState) => void;
  #state: CircuitState = "closed";
  #openedAt = 0;
  #probeInFlight = false;

  constructor(cooldownMs: number, onChange: (state: CircuitState) => void) {
    this.#cooldownMs = cooldownMs;
    this.#onChange = onChange;
  }

  /** Lets a call through, or throws the "quota" error while the circuit is open or probing. */
  admit(): CircuitPass {
    if (this.#state === "open" && performance.now() - this.#openedAt >= this.#cooldownMs) {
      this.#enter("half-open");
    }
    if (this.#state === "closed") {
      return { probe: false };
    }
    if (this.#state === "half-open" && !this.#probeInFlight) {
      this.#probeInFlight = true;
      return { probe: true };
    }
    throw failures.quota();
  }

  /** Records a call's outcome: `undefined` for success, otherwise the error it failed with. */
  settle(pass: CircuitPass, error?: unknown): void {
    if (error instanceof GeoapifyError && error.kind === "quota") {
      this.#openedAt = performance.now();
      this.#probeInFlight = false;
      if (this.#state !== "open") {
        this.#enter("open");
      }
      return;
    }
    if (!pass.probe) {
      return;
    }
    this.#probeInFlight = false;
    // Only a success proves the quota is back; any other failure (the network, an abort) says
    // nothing about it, so the next call becomes the probe instead.
    if (error === undefined) {
      this.#enter("closed");
    }
  }

  #enter(state: CircuitState): void {
    this.#state = state;
    this.#onChange(state);
  }
}
