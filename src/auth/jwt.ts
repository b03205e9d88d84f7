import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  createRemoteJWKSet,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type CryptoKey,
  type KeyObject,
} from 'jose';
import type { AuthConfig } from './auth-config.js';
import type { AuthResult, Authenticator, AuthRequest } from './authenticator.js';
import { unauthorized } from './authenticator.js';
import type { Principal } from './principal.js';

const CHALLENGE = 'Bearer realm="Switchyard"';
const MAX_TOKEN = 8 * 1024;
type JwtConfig = NonNullable<AuthConfig['jwt']>;

const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string'
      ? v.split(/[ ,]+/).filter(Boolean)
      : [];

/**
 * Bearer JWT authentication with jose: an algorithm allow-list (never `none`), issuer and audience
 * checks, clock tolerance, and keys from a shared secret, a PEM public key, or a JWKS URL that jose
 * caches and refetches only on an unknown kid (with a cooldown).
 */
export class JwtAuthenticator implements Authenticator {
  private key: Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey | undefined;

  constructor(
    private readonly cfg: JwtConfig,
    private readonly baseDir: string,
    /** Minimum time between JWKS refetches on unknown kids (jose's cooldown). */
    private readonly jwksCooldownMs = 30_000,
  ) {}

  private async getKey(): Promise<Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey> {
    if (this.key) return this.key;
    if (this.cfg.secret) this.key = new TextEncoder().encode(this.cfg.secret);
    else if (this.cfg.publicKeyFile)
      this.key = await importSPKI(
        readFileSync(resolve(this.baseDir, this.cfg.publicKeyFile), 'utf8'),
        this.cfg.algorithms[0],
      );
    else
      this.key = createRemoteJWKSet(new URL(this.cfg.jwksUrl!), {
        cooldownDuration: 30_000,
        timeoutDuration: 5_000,
      });
    return this.key;
  }

  async authenticate(req: AuthRequest, token?: string): Promise<AuthResult> {
    const t =
      token ??
      String(req.headers.authorization ?? '')
        .slice(7)
        .trim();
    if (!t || t.length > MAX_TOKEN)
      return unauthorized('malformed', 'Malformed or oversized bearer token', CHALLENGE);
    let payload: JWTPayload;
    try {
      const key = await this.getKey();
      const opts = {
        algorithms: this.cfg.algorithms,
        issuer: this.cfg.issuer,
        audience: this.cfg.audience,
        clockTolerance: this.cfg.clockToleranceSeconds,
      };
      payload = (typeof key === 'function' ? await jwtVerify(t, key, opts) : await jwtVerify(t, key, opts))
        .payload;
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'ERR_JWT_INVALID';
      return unauthorized(
        code,
        `Invalid bearer token (${code.replace(/^ERR_/, '').toLowerCase()})`,
        CHALLENGE,
      );
    }
    const name = payload[this.cfg.userClaim];
    if (typeof name !== 'string' || !name)
      return unauthorized('no-user', `Token has no "${this.cfg.userClaim}" claim`, CHALLENGE);
    const principal: Principal = {
      name,
      groups: list(payload[this.cfg.groupsClaim]),
      roles: list(payload[this.cfg.rolesClaim]).filter((r) => r === 'admin' || r === 'user'),
      method: 'jwt',
    };
    if (principal.roles.length === 0) principal.roles = ['user'];
    return { ok: true, principal };
  }
}
