// Typed failures of the Geoapify client. Callers switch on `kind`, never on the message: the words
// a user sees live with the functions (src/functions/messages.ts). Messages here are technical,
// for logs, and are built only from the kind, a status and a fixed detail, never from a URL, a
// header or a fetch error, because those carry the API key.

export type GeoapifyErrorKind =
  /** 401/403: the key is missing, wrong or not allowed to use the API. */
  | "auth"
  /** 429s persisted through backing off (the rate limit or the daily quota): settled at once. */
  | "quota"
  /** The caller's wait limit passed; the job is still collected in the background. */
  | "still-running"
  /** No answer: connection refused or dropped, DNS, CORS, request timeout. */
  | "network"
  /** 5xx that survived every retry, or a status the API does not document. */
  | "server"
  /** 400: Geoapify refused the request as sent. */
  | "bad-request"
  /** A body that is not the documented JSON, or a result that cannot be matched to its input. */
  | "malformed"
  /** The caller aborted before anything was sent, or the client was closed. */
  | "aborted"
  /**
   * The credits gate (`admit`) refused these inputs and they were not sent (no status), or a team
   * gateway answered 429 "Budget Exceeded": its user's daily budget is spent (`budgetCredits`).
   */
  | "budget"
  /** 503 for longer than the caller's wait limit: the service (a team gateway) is down. */
  | "unavailable"
  /** Geoapify no longer knows the job (404), even after one resubmission. */
  | "expired";

export class GeoapifyError extends Error {
  override readonly name = "GeoapifyError";

  constructor(
    readonly kind: GeoapifyErrorKind,
    /** HTTP status when the failure came from an answer, for telemetry. */
    readonly status?: number,
    /** A fixed technical note, e.g. "poll answer is not JSON". Never user wording. */
    detail?: string,
    /** "budget" from a team gateway: the daily budget its refusal names, when readable. */
    readonly budgetCredits?: number
  ) {
    super(
      `geoapify ${kind}${status === undefined ? "" : ` (HTTP ${status})`}${detail ? `: ${detail}` : ""}`
    );
  }
}

/** A GeoapifyError as it is; anything else thrown is an unexpected, so malformed, failure. */
export function asGeoapifyError(error: unknown): GeoapifyError {
  return error instanceof GeoapifyError
    ? error
    : new GeoapifyError("malformed", undefined, "unexpected failure");
}
