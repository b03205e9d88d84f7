import { hash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../observability/logger.js';
import { unauthorized, type AuthOutcome, type AuthResult } from './authenticator.js';
import type { OidcClient } from './oidc-client.js';
import type { OidcConfig } from './oidc-config.js';
import type { TokenExchange } from './oidc-exchange.js';
import { principalClaims, toPrincipal, type TokenCodec, type TokenContent } from './oidc-token.js';
import type { Principal } from './principal.js';

const MAX_TOKEN = 8 * 1024;
/** A verified token is remembered this long at most (and never past its expiry), as auth.jwt does. */
const CACHE_TTL_MS = 60_000;
const MAX_CACHE = 10_000;
/** Refreshes in flight, by the expired token's digest: a client's burst of requests starts one refresh. */
const MAX_REFRESHING = 10_000;

/** Where the challenge's two URLs point: the gateway's public URL, under /oidc (never /oauth2, the clusters'). */
export const tokenPath = (tokenId: string) => `/oidc/token/${tokenId}`;
export const initiatePath = (initiateId: string) => `/oidc/token/initiate/${initiateId}`;

/**
 * OidcAuthenticator accepts two kinds of bearer token: the gateway's own (a JWE it sealed after an OIDC
 * sign-in; see TokenCodec) and JWTs the issuer signed (ID tokens, JWT access tokens for this client), checked
 * against the issuer's JWKS with its issuer and the client id as audience. A verified token's principal is
 * cached by the token's SHA-256 (a poll costs a hash and a map lookup, as with auth.jwt). The challenge is
 * Trino's OAuth2Authenticator's; an expired gateway token that holds a refresh token gets the refresh
 * challenge (x_token_server alone) while the gateway renews it with the IdP in the background.
 */
export class OidcAuthenticator {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  private readonly refreshing = new Map<string, { challenge: string; until: number }>();
  private jwks: JWTVerifyGetKey | undefined;

  constructor(
    private readonly d: {
      cfg: OidcConfig;
      client: OidcClient;
      exchange: TokenExchange;
      codec: TokenCodec;
      publicUrl: string;
      logger: Logger;
      /** A password user's name is never taken from a token: one name, one person, on every path. */
      isPasswordUser: (name: string) => boolean;
    },
  ) {}

  /** challenge is a fresh `WWW-Authenticate` value naming this gateway's redirect and token servers. */
  challenge(): string {
    const { tokenId, initiateId } = this.d.exchange.issue();
    const base = this.d.publicUrl;
    return `Bearer x_redirect_server="${base}${initiatePath(initiateId)}", x_token_server="${base}${tokenPath(tokenId)}"`;
  }

  authenticate(token: string): AuthOutcome {
    if (!token || token.length > MAX_TOKEN)
      return unauthorized('malformed', 'Malformed or oversized bearer token', this.challenge());
    const digest = hash('sha256', token, 'base64');
    const now = Date.now();
    const hit = this.cache.get(digest);
    if (hit && hit.until > now) return { ok: true, principal: hit.principal };
    return token.split('.').length === 5 ? this.openOwn(token, digest) : this.verifyIssued(token, digest);
  }

  private async openOwn(token: string, digest: string): Promise<AuthResult> {
    const opened = await this.d.codec.open(token);
    if (opened.ok && this.d.isPasswordUser(opened.content.name)) return this.sharedName(opened.content.name);
    if (opened.ok) return this.remember(digest, toPrincipal(opened.content), opened.content.exp);
    if (opened.expired?.refreshToken && this.d.cfg.refreshTokens)
      return unauthorized(
        'expired',
        'The token expired; it is being renewed',
        this.refresh(digest, opened.expired),
      );
    return unauthorized(opened.code, `Invalid bearer token (${label(opened.code)})`, this.challenge());
  }

  private async verifyIssued(token: string, digest: string): Promise<AuthResult> {
    try {
      this.jwks ??= createRemoteJWKSet(new URL(await this.d.client.jwksUri()), {
        timeoutDuration: this.d.cfg.requestTimeoutSeconds * 1000,
        cooldownDuration: 30_000,
      });
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: await this.d.client.issuer(),
        audience: this.d.cfg.clientId,
        clockTolerance: this.d.cfg.clockToleranceSeconds,
        algorithms: [
          'RS256',
          'RS384',
          'RS512',
          'PS256',
          'PS384',
          'PS512',
          'ES256',
          'ES384',
          'ES512',
          'EdDSA',
        ],
      });
      const p = principalClaims(this.d.cfg, payload);
      if (!p)
        return unauthorized(
          'no-user',
          `Token has no valid "${this.d.cfg.userClaim}" claim`,
          this.challenge(),
        );
      if (this.d.isPasswordUser(p.name)) return this.sharedName(p.name);
      return this.remember(digest, toPrincipal({ ...p, exp: payload.exp ?? 0 }), payload.exp);
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      // Discovery or the JWKS fetch failed (jose names token problems ERR_JW*, a JWKS it could not get too).
      if (!/^ERR_JW/.test(code) || code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JWKS_INVALID')
        return unauthorized(
          'idp-unavailable',
          'Invalid bearer token: the identity provider cannot be reached',
          this.challenge(),
        );
      return unauthorized(code, `Invalid bearer token (${label(code)})`, this.challenge());
    }
  }

  private sharedName(name: string): AuthResult {
    return unauthorized(
      'shared-name',
      `Invalid bearer token: ${name} is also the name of a password user of this gateway`,
      this.challenge(),
    );
  }

  private remember(digest: string, principal: Principal, exp: number | undefined): AuthResult {
    const until = Math.min(Date.now() + CACHE_TTL_MS, typeof exp === 'number' ? exp * 1000 : Infinity);
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(digest, { principal, until });
    return { ok: true, principal };
  }

  /**
   * refresh starts renewing an expired token with its refresh token (once per token, however many requests
   * carry it) and returns the refresh challenge: Trino's `Bearer x_token_server="…"`, no browser needed.
   * A refused refresh is delivered as the poll's error; the client then signs in again.
   */
  private refresh(digest: string, expired: TokenContent): string {
    const now = Date.now();
    const running = this.refreshing.get(digest);
    if (running && running.until > now) return running.challenge;
    const { tokenId, key } = this.d.exchange.issue();
    const challenge = `Bearer x_token_server="${this.d.publicUrl}${tokenPath(tokenId)}"`;
    if (this.refreshing.size >= MAX_REFRESHING)
      for (const [k, r] of this.refreshing)
        if (r.until <= now || this.refreshing.size >= MAX_REFRESHING) this.refreshing.delete(k);
    this.refreshing.set(digest, { challenge, until: now + 60_000 });
    void this.d.client
      .refresh(expired.refreshToken!)
      .then(async (r) => {
        const fresh = r.claims ? principalClaims(this.d.cfg, r.claims) : undefined;
        if (r.claims && !fresh)
          throw new Error(`the renewed ID token has no valid "${this.d.cfg.userClaim}" claim`);
        if (this.d.isPasswordUser((fresh ?? expired).name))
          throw new Error(`${(fresh ?? expired).name} is now also the name of a password user`);
        const content: TokenContent = {
          ...(fresh ?? expired),
          refreshToken: r.refreshToken ?? expired.refreshToken,
          exp: r.expiresAt,
        };
        this.d.exchange.complete(key, await this.d.codec.seal(content));
      })
      .catch((e: unknown) => {
        const message = e instanceof Error ? e.message : 'refresh failed';
        this.d.logger.info({ user: expired.name, reason: message }, 'oidc token refresh refused');
        this.d.exchange.fail(key, `Token refresh failed: ${message}; sign in again`);
      });
    return challenge;
  }
}

const label = (code: string): string => code.replace(/^ERR_/, '').toLowerCase();
