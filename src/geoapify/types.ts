// Wire types of Geoapify's batch geocoding API, as documented in
// geoapify-openapi-specs/api-specs/batch-geocoding. Shared by the client and the emulator so
// that both speak exactly one format.

/** Body of `POST /v1/batch/geocode/search`: 1 to 1,000 free-form addresses. */
export type BatchSearchRequest = string[];

/** Body of `POST /v1/batch/geocode/reverse`: 1 to 1,000 points, each `[lon, lat]` (lon first). */
export type BatchReverseRequest = Array<[number, number]>;

/** Maximum number of inputs one batch job accepts. */
export const MAX_BATCH_SIZE = 1000;

/** `202` answer to a job submission, and to a poll while the job is still running. */
export interface BatchJobPending {
  id: string;
  status: "pending";
  url: string;
}

/** One element of a finished job's `200` answer, in input order. */
export interface BatchResult {
  /** Echo of the input. Only `query` is present when nothing matched. */
  query: { text: string; parsed?: Record<string, unknown> };
  lat?: number;
  lon?: number;
  formatted?: string;
  result_type?: string;
  rank?: { confidence?: number; [key: string]: unknown };
  country?: string;
  country_code?: string;
  city?: string;
  postcode?: string;
  street?: string;
  housenumber?: string;
  [key: string]: unknown;
}

/** One element of a finished reverse job: no `text` in the query, so matched by position. */
export type ReverseBatchResult = Omit<BatchResult, "query"> & {
  query: { lon: number; lat: number; plus_code?: string };
};

/** Geoapify's error body, for 400, 401, 404, 429 and friends. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** Body of a single-address `GET /v1/geocode/search?text=&format=json`: the query is echoed
 * once at the top level, not in each result. */
export interface SingleSearchResponse {
  results: Array<Omit<BatchResult, "query">>;
  query?: BatchResult["query"];
}
