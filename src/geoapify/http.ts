// One HTTP exchange over fetch, with what the add-in needs of a client library and no more: query
// parameters, a JSON body, and a time limit on the wait for the answer's status. Like ky (which
// did this before, at 14 KB of the runtime's first download), an HTTP error status is an answer,
// not an exception; only no answer (a dropped connection, the time limit) rejects.

export interface HttpRequest {
  method: "get" | "post";
  /** Added to the URL's query string. */
  params: Readonly<Record<string, string>>;
  headers?: Readonly<Record<string, string>>;
  /** Sent as the body, with `Content-Type: application/json`. */
  json?: unknown;
  /** Rejects (and aborts the request) when no status has arrived after this long. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** The answer once its status has arrived; its body is read by the caller, with no time limit. */
export function httpExchange(url: string, request: HttpRequest): Promise<Response> {
  const abort = new AbortController();
  const headers = new Headers(request.headers);
  let body: string | undefined;
  if (request.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(request.json);
  }
  const query = new URLSearchParams(request.params).toString();
  const sent = new Request(query ? `${url}?${query}` : url, {
    method: request.method.toUpperCase(),
    headers,
    body,
    signal: abort.signal,
  });
  const send = request.fetch ?? globalThis.fetch;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      abort.abort();
      reject(new Error("no answer in time"));
    }, request.timeoutMs);
    send(sent)
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}
