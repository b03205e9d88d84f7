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
  publicUrl: string;
}

/**
 * createOidc wires the relying party, the token exchange, the token codec and the authenticator. `secret`
 * (kept in the database, shared by replicas) signs exchange ids and seals the gateway's tokens, so tokens
 * stay valid across restarts. Nothing talks to the IdP until the first sign-in or bearer JWT.
 */
export function createOidc(
  cfg: OidcConfig,
  d: { publicUrl: string; secret: string; logger: Logger },
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
  });
  const signIns = new SignIns(Math.min(cfg.challengeTimeoutSeconds, 600) * 1000);
  return { cfg, client, exchange, codec, authenticator, signIns, publicUrl: d.publicUrl };
}
