// Typed failures of the Geoapify client. Callers switch on `kind`, never on messages, and the
// messages are written for a spreadsheet user: short, actionable, and never carrying the API key.

export type GeoapifyErrorKind =
  /** 401/403: the key is missing, wrong or not allowed to use the batch API. */
  | "auth"
  /** 429 whose message says the daily quota is spent: retrying today is pointless. */
  | "quota"
  /** 429 that survived every retry (requests per second). */
  | "rate-limit"
  /** The job did not finish within the job timeout. */
  | "timeout"
  /** A body that is not the documented JSON, or a result array that does not match the input. */
  | "malformed"
  /** No answer: connection refused or dropped, DNS, CORS. */
  | "network"
  /** 5xx that survived every retry. */
  | "server"
  /** 400: Geoapify refused the request body. */
  | "bad-request"
  /** The caller aborted (every waiter left, or the batcher closed). */
  | "aborted";

export class GeoapifyError extends Error {
  override readonly name = "GeoapifyError";

  constructor(
    readonly kind: GeoapifyErrorKind,
    message: string,
    /** HTTP status when the failure came from an answer, for telemetry. */
    readonly status?: number
  ) {
    super(message);
  }
}
