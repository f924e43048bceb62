// What the runtime knows of a team gateway endpoint: what to send it (the user's token, and
// Office's SSO token where there is one, to a gateway only), who the token belongs to, and that
// user's usage. The user, not the token, is who pays and whose jobs these are: a token may
// rotate, and the scheduler, the stored jobs and the credits of its user must not start over.

import type { Credentials } from "../geoapify/client";
import { readGatewayUsage, type GatewayUsage } from "../geoapify/gateway";
import type { Endpoint } from "../settings/settings";
import type { SsoTokenSource } from "./sso";

export class GatewayAccounts {
  /** The user of each (gateway, token) asked so far; an unanswered question is asked again. */
  private readonly users = new Map<string, Promise<string | undefined>>();

  constructor(private readonly options: { ssoToken: SsoTokenSource; fetch?: typeof fetch }) {}

  /** What a request to `endpoint` carries. Never throws: SSO's failures fall back to the token. */
  async credentials(endpoint: Endpoint): Promise<Credentials> {
    if (!endpoint.gateway) return { apiKey: endpoint.apiKey };
    const bearer = await this.options.ssoToken().catch(() => undefined);
    return bearer ? { apiKey: endpoint.apiKey, bearer } : { apiKey: endpoint.apiKey };
  }

  /**
   * What a connection's next request carries. A gateway's token may be rotated (and the old one
   * revoked) while its user's jobs are polled: the token saved now is sent when it is the same
   * user's at the same gateway, else the one the connection last read. A connection keyed by its
   * token (its user was unknown) keeps sending that token.
   */
  async credentialsFor(
    connection: { endpoint: Endpoint; account: string | undefined },
    saved: () => Promise<Endpoint | undefined>
  ): Promise<Credentials> {
    let endpoint = connection.endpoint;
    if (endpoint.gateway && connection.account !== undefined) {
      const now = await saved().catch(() => undefined);
      const same = now?.gateway === true && now.baseUrl === endpoint.baseUrl;
      if (same && (await this.account(now)) === connection.account) endpoint = now;
    }
    return this.credentials(endpoint);
  }

  /** The gateway's answer about the token's user; undefined for an endpoint that is no gateway. */
  async usage(endpoint: Endpoint): Promise<GatewayUsage | "rejected" | undefined> {
    if (!endpoint.gateway) return undefined;
    const usage = await readGatewayUsage(endpoint.baseUrl, await this.credentials(endpoint), {
      fetch: this.options.fetch,
    });
    if (typeof usage === "object") this.users.set(tokenId(endpoint), Promise.resolve(usage.user));
    return usage;
  }

  /**
   * Who pays through `endpoint`: "gateway <url> <user>" for a gateway whose user is known, else
   * undefined (Geoapify or a proxy: the key is; a gateway that could not tell: its token is).
   */
  async account(endpoint: Endpoint): Promise<string | undefined> {
    if (!endpoint.gateway) return undefined;
    const id = tokenId(endpoint);
    let user = this.users.get(id);
    if (!user) {
      user = this.usage(endpoint).then((usage) =>
        typeof usage === "object" ? usage.user : undefined
      );
      this.users.set(id, user);
      void user.then((known) => known === undefined && this.users.delete(id));
    }
    const known = await user;
    return known === undefined ? undefined : `gateway ${endpoint.baseUrl} ${known}`;
  }
}

function tokenId(endpoint: Endpoint): string {
  return `${endpoint.baseUrl}\n${endpoint.apiKey}`;
}
