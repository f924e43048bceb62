// Who is asking: a gateway token in `apiKey=` (as the add-in sends Geoapify's key), or, when
// OIDC is configured, an `Authorization: Bearer` JWT whose subject is the user.

import { createRemoteJWKSet, jwtVerify } from "jose";
import type { GatewayConfig } from "./config";
import type { GatewayStore } from "./store/store";
import { hashToken, sameHash } from "./tokens";

export interface Caller {
  name: string;
  dailyBudget: number | null;
}

export class Authenticator {
  readonly #verify: ((jwt: string) => Promise<string | undefined>) | undefined;

  constructor(
    private readonly store: GatewayStore,
    private readonly config: Pick<GatewayConfig, "oidc" | "defaultDailyBudget">
  ) {
    const oidc = config.oidc;
    if (oidc) {
      const keys = createRemoteJWKSet(new URL(oidc.jwksUrl));
      this.#verify = async (jwt) => {
        try {
          const { payload } = await jwtVerify(jwt, keys, {
            issuer: oidc.issuer,
            audience: oidc.audience,
          });
          return payload.sub || undefined;
        } catch {
          return undefined;
        }
      };
    }
  }

  /** The caller, or null for a missing, unknown, revoked or barred credential. */
  async caller(apiKey: unknown, authorization: string | undefined): Promise<Caller | null> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (bearer && this.#verify) {
      const subject = await this.#verify(bearer);
      if (!subject) return null;
      const user = await this.store.users.ensure(subject, this.config.defaultDailyBudget);
      return user && { name: user.name, dailyBudget: user.dailyBudget };
    }
    if (typeof apiKey !== "string" || apiKey === "") return null;
    const tokenHash = hashToken(apiKey);
    const user = await this.store.users.byTokenHash(tokenHash);
    if (!user || !sameHash(user.tokenHash, tokenHash)) return null;
    return { name: user.name, dailyBudget: user.dailyBudget };
  }
}
