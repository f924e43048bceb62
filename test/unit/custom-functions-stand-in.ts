// The part of Excel's CustomFunctions global that the functions use, for tests under Node.
// Codes are Excel's own strings, as @types/custom-functions-runtime declares them.

export class CellError extends Error {
  constructor(
    readonly code: string,
    message?: string
  ) {
    super(message);
  }
}

export function installCustomFunctionsStandIn(): void {
  Object.assign(globalThis, {
    CustomFunctions: {
      Error: CellError,
      ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A" },
    },
  });
}

/** A cancelable invocation whose cancellation the test triggers, as Excel does on an edit. */
export function invocation(): CustomFunctions.CancelableInvocation & { cancel(): void } {
  const call = {
    onCanceled: undefined as (() => void) | undefined,
    cancel() {
      call.onCanceled?.();
    },
  };
  return call as unknown as CustomFunctions.CancelableInvocation & { cancel(): void };
}
