// Every GeoapifyError the client throws is built here, so that the wording stays consistent and
// no message is ever derived from a URL, a header or a ky error (those carry the API key).

import { GeoapifyError } from "./errors";

export const failures = {
  auth: (status: number) => new GeoapifyError("auth", "Geoapify rejected the API key", status),
  quota: (status?: number) =>
    new GeoapifyError("quota", "Geoapify daily quota exhausted — try again later", status),
  rateLimit: (status: number) =>
    new GeoapifyError(
      "rate-limit",
      "Geoapify is rate-limiting requests — try again shortly",
      status
    ),
  server: (status: number) =>
    new GeoapifyError("server", "Geoapify is having trouble — try again later", status),
  lostJob: (status: number) =>
    new GeoapifyError("server", "Geoapify lost the geocoding job — try again", status),
  unexpectedStatus: (status: number) =>
    new GeoapifyError("server", `Geoapify answered with unexpected HTTP ${status}`, status),
  badRequest: (status: number) =>
    new GeoapifyError("bad-request", "Geoapify refused the addresses as sent", status),
  network: () => new GeoapifyError("network", "Could not reach Geoapify — check the connection"),
  timeout: () => new GeoapifyError("timeout", "Geocoding timed out"),
  aborted: () => new GeoapifyError("aborted", "Geocoding was cancelled"),
  malformed: (status?: number) =>
    new GeoapifyError("malformed", "Geoapify sent an unreadable answer", status),
  missingResult: () => new GeoapifyError("malformed", "Geoapify sent no result for this address"),
};
