// What can be wrong with what a user typed, as facts. The sentences a user reads are written from
// these in one place (src/functions/messages.ts), so the rules here and the wording there can
// change independently, and the task pane can word the same facts the same way.

export type Axis = "latitude" | "longitude";

export type InputProblem =
  | { kind: "address-missing" }
  | { kind: "address-blank" }
  /** A number where an address belongs, typically a postcode whose leading zeros are gone. */
  | { kind: "address-number"; value: number }
  | { kind: "address-not-text" }
  | { kind: "address-too-long"; maxLength: number }
  | { kind: "unknown-field"; name: string; valid: readonly string[] }
  | { kind: "unknown-country"; code: string }
  | { kind: "unknown-language"; code: string }
  | { kind: "unknown-unit"; unit: string; valid: readonly string[] }
  | { kind: "coordinate-missing"; axis: Axis }
  | { kind: "coordinate-not-number"; axis: Axis; value: string }
  | { kind: "coordinate-out-of-range"; axis: Axis; value: number; limit: number }
  /** A parameter that takes one value was given a range of several cells. */
  | { kind: "not-single-value"; parameter: string }
  /** A DISTANCE end that is neither an address nor exactly two numbers in a row or column. */
  | { kind: "not-a-point"; parameter: string };

/** Input that cannot be looked up. Thrown before anything is sent. */
export class InvalidInputError extends Error {
  override readonly name = "InvalidInputError";

  constructor(readonly problem: InputProblem) {
    super(`Invalid input: ${problem.kind}`);
  }
}
