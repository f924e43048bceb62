// Failures as Excel shows them. Excel shows a message only for #VALUE! and #N/A, so every
// failure is one of those two, with the sentence messages.ts writes for it.

import { describeFailure } from "./messages";
import { classifyFailure } from "./failures";

/** The cell error for anything a call threw: never a stack, a URL or the API key. */
export function toCellError(error: unknown): CustomFunctions.Error {
  const { error: name, message } = describeFailure(classifyFailure(error));
  const code =
    name === "#VALUE!"
      ? CustomFunctions.ErrorCode.invalidValue
      : CustomFunctions.ErrorCode.notAvailable;
  return new CustomFunctions.Error(code, message);
}
