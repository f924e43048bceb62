// Several workbooks open with one key share the key's rate. Where their runtimes share an origin,
// each announces the requests it sends on a BroadcastChannel, and every scheduler counts the
// others' announcements in its window. The channel is named from the endpoint and a hash of the
// key, never the key itself. Where BroadcastChannel is missing, nothing is shared and the
// adaptive 429 handling keeps the runtimes polite.

export interface RateChannel {
  announce(): void;
  onAnnounce(listener: () => void): void;
  close(): void;
}

/** The shared channel for `baseUrl` and `keyHash`, or `undefined` where there is none. */
export function openRateChannel(baseUrl: string, keyHash: string): RateChannel | undefined {
  if (typeof BroadcastChannel !== "function") {
    return undefined;
  }
  const channel = new BroadcastChannel(`geobatch-rate ${baseUrl} ${keyHash}`);
  // In Node (tests, the bench) an open channel would keep the process alive.
  (channel as { unref?: () => void }).unref?.();
  return {
    announce: () => channel.postMessage(1),
    onAnnounce: (listener) => channel.addEventListener("message", listener),
    close: () => channel.close(),
  };
}
