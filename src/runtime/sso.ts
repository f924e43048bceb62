// Office single sign-on, as a second way into a team gateway: where Office gives an access token
// for the add-in (the manifest's WebApplicationInfo names the company's app registration, which
// is why it is off by default), the runtime sends it as `Authorization: Bearer` to a gateway, and
// never to Geoapify. It is asked silently (no sign-in or consent prompt from a recalculation);
// any failure (no WebApplicationInfo, outside Office, not signed in) falls back to the token.

/** How long a token (or the lack of one) is reused before Office is asked again: Office caches
 * its tokens itself, and a recalculation must not ask it once per request. */
const REUSE_MS = 5 * 60_000;

export type SsoTokenSource = () => Promise<string | undefined>;

interface OfficeAuth {
  getAccessToken(options?: {
    allowSignInPrompt?: boolean;
    allowConsentPrompt?: boolean;
    forMSGraphAccess?: boolean;
  }): Promise<string>;
}

/** Office's SSO token for this add-in, asked at most every few minutes; undefined where none. */
export function officeSsoToken(now: () => number = Date.now): SsoTokenSource {
  let cached: { token: Promise<string | undefined>; at: number } | undefined;
  return () => {
    if (cached === undefined || now() - cached.at >= REUSE_MS) {
      cached = { token: askOffice(), at: now() };
    }
    return cached.token;
  };
}

async function askOffice(): Promise<string | undefined> {
  const auth = (globalThis as { OfficeRuntime?: { auth?: OfficeAuth } }).OfficeRuntime?.auth;
  if (typeof auth?.getAccessToken !== "function") return undefined;
  try {
    const token = await auth.getAccessToken({
      allowSignInPrompt: false,
      allowConsentPrompt: false,
      forMSGraphAccess: false,
    });
    return typeof token === "string" && token !== "" ? token : undefined;
  } catch {
    return undefined;
  }
}
