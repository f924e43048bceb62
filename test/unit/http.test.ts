// The add-in's one HTTP exchange (fetch, no client library): an HTTP error status is an answer,
// query and JSON body travel as Geoapify expects them, and the time limit ends a request whose
// status never comes (aborting it) but not the reading of a body that has started to arrive.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { httpExchange } from "../../src/geoapify/http";

const TOO_MANY = '{"statusCode":429,"error":"Too Many Requests","message":"Quota exceeded"}';

/** A fetch that records what it was sent and answers with `answer` (or never). */
function recordingFetch(answer?: () => Response) {
  const sent: Request[] = [];
  const fetch = (input: RequestInfo | URL): Promise<Response> => {
    const request = input as Request;
    sent.push(request);
    if (answer) return Promise.resolve(answer());
    return new Promise((_resolve, reject) => {
      request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
    });
  };
  return { sent, fetch };
}

describe("httpExchange", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers an HTTP error status instead of throwing", async () => {
    const { fetch } = recordingFetch(() => new Response(TOO_MANY, { status: 429 }));
    const response = await httpExchange("http://127.0.0.1:1/v1/geocode/search", {
      method: "get",
      params: { text: "Berlin" },
      timeoutMs: 1000,
      fetch,
    });
    expect(response.status).toBe(429);
    expect(await response.text()).toBe(TOO_MANY);
  });

  it("sends the query parameters, headers and a JSON body", async () => {
    const { sent, fetch } = recordingFetch(() => new Response("{}", { status: 202 }));
    await httpExchange("http://127.0.0.1:1/v1/batch/geocode/search", {
      method: "post",
      params: { apiKey: "key", lang: "de" },
      headers: { Authorization: "Bearer token" },
      json: ["1 Baker St"],
      timeoutMs: 1000,
      fetch,
    });
    const [request] = sent;
    expect(request.method).toBe("POST");
    const url = new URL(request.url);
    expect(url.pathname).toBe("/v1/batch/geocode/search");
    expect(Object.fromEntries(url.searchParams)).toEqual({ apiKey: "key", lang: "de" });
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.headers.get("authorization")).toBe("Bearer token");
    expect(await request.json()).toEqual(["1 Baker St"]);
  });

  it("aborts and rejects a request whose status does not come within the time limit", async () => {
    const { sent, fetch } = recordingFetch();
    const answer = httpExchange("http://127.0.0.1:1/v1/geocode/search", {
      method: "get",
      params: {},
      timeoutMs: 1000,
      fetch,
    });
    const outcome = answer.then(
      () => "answered",
      () => "rejected"
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(sent[0].signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe("rejected");
    expect(sent[0].signal.aborted).toBe(true);
  });

  it("leaves an answer alone once its status has come", async () => {
    const { sent, fetch } = recordingFetch(() => new Response("[]", { status: 200 }));
    const response = await httpExchange("http://127.0.0.1:1/v1/geocode/search", {
      method: "get",
      params: {},
      timeoutMs: 1000,
      fetch,
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent[0].signal.aborted).toBe(false);
    expect(await response.text()).toBe("[]");
  });
});
