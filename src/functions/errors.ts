// Failures as Excel shows them. Excel shows a message only for #VALUE! and #N/A, so every
// failure is one of those two, with the sentence messages.ts writes for it.

import { describeFailure, type Failure } from "./messages";

/** The cell error for a classified failure: never a stack, a URL or the API key. */
export function cellErrorOf(failure: Failure): CustomFunctions.Error {
  const { error: name, message } = describeFailure(failure);
  const code =
    name === "#VALUE!"
      ? CustomFunctions.ErrorCode.invalidValue
      : CustomFunctions.ErrorCode.notAvailable;
  return new CustomFunctions.Error(code, message);
}
