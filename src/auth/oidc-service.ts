import type { Logger } from '../observability/logger.js';
import { OidcAuthenticator } from './oidc-authenticator.js';
import { OidcClient } from './oidc-client.js';
import type { OidcConfig } from './oidc-config.js';
import { TokenExchange } from './oidc-exchange.js';
import { SignIns } from './oidc-sign-ins.js';
import { TokenCodec } from './oidc-token.js';

/** Everything OIDC sign-in needs, built once from auth.oidc. */
export interface OidcService {
  cfg: OidcConfig;
  client: OidcClient;
  exchange: TokenExchange;
  codec: TokenCodec;
  authenticator: OidcAuthenticator;
  signIns: SignIns;
  /** Why a signed-in name is refused (a password user's name), or undefined. */
  refusal: (name: string) => string | undefined;
  publicUrl: string;
}

/**
 * createOidc wires the relying party, the token exchange, the token codec and the authenticator. `secret`
 * (kept in the database, shared by replicas) signs exchange ids and seals the gateway's tokens, so tokens
 * stay valid across restarts. Nothing talks to the IdP until the first sign-in or bearer JWT.
 */
export function createOidc(
  cfg: OidcConfig,
  d: {
    publicUrl: string;
    secret: string;
    logger: Logger;
    /** Whether a name is a password user's: an OIDC user of that name is refused (they are not the same person). */
    isPasswordUser?: (name: string) => boolean;
  },
): OidcService {
  const client = new OidcClient(cfg, `${d.publicUrl}/oidc/callback`);
  const exchange = new TokenExchange(d.secret, cfg.challengeTimeoutSeconds * 1000);
  const codec = new TokenCodec(d.secret, d.publicUrl, cfg.clockToleranceSeconds);
  const authenticator = new OidcAuthenticator({
    cfg,
    client,
    exchange,
    codec,
    publicUrl: d.publicUrl,
    logger: d.logger,
    isPasswordUser: d.isPasswordUser ?? (() => false),
  });
  const signIns = new SignIns(Math.min(cfg.challengeTimeoutSeconds, 600) * 1000);
  const refusal = (name: string) =>
    d.isPasswordUser?.(name)
      ? `${name} is also the name of a password user of this gateway, who may be someone else; the IdP user is refused`
      : undefined;
  return { cfg, client, exchange, codec, authenticator, signIns, publicUrl: d.publicUrl, refusal };
}
