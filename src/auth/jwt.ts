import { createPublicKey, hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type CryptoKey,
  type KeyObject,
} from 'jose';
import type { AuthConfig } from './auth-config.js';
import type { AuthOutcome, AuthResult, Authenticator, AuthRequest } from './authenticator.js';
import { unauthorized } from './authenticator.js';
import { compilePatterns } from './impersonation.js';
import type { Principal } from './principal.js';

const CHALLENGE = 'Bearer realm="Switchyard"';
const MAX_TOKEN = 8 * 1024;
/** A verified token is remembered this long at most (and never past its `exp`). */
const CACHE_TTL_MS = 60_000;
const MAX_CACHE = 10_000;
type JwtConfig = NonNullable<AuthConfig['jwt']>;

const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string'
      ? v.split(/[ ,]+/).filter(Boolean)
      : [];

/** The JWKS could not be fetched or parsed (endpoint down, non-200, timeout, not a key set). */
class JwksUnavailable extends Error {
  readonly code = 'jwks-unavailable';
}

/** Errors jose's JWKS lookup raises about the token's key, as opposed to about fetching the set. */
const KEY_LOOKUP_ERRORS = new Set([
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JOSENotSupported.code,
]);

/** A header value from the (unverified) token, safe to echo: printable ASCII, at most 64 characters. */
const printable = (v: unknown): string =>
  typeof v === 'string' ? v.replace(/[^\x20-\x7e]/g, '?').slice(0, 64) : String(v);

const kidOf = (token: string): unknown => {
  try {
    return decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
};

/** Control characters (C0, DEL, C1): never part of a user name, and no header could carry them. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Bearer JWT authentication with jose: an algorithm allow-list (never `none`), issuer and audience
 * checks, clock tolerance, and keys from a shared secret, a PEM public key, or a JWKS URL.
 *
 * JWKS: one jose remote key set per authenticator, created on first use and kept. jose caches the set
 * (refetched when older than `jwksCacheMaxAgeMs`, default 10 min) and refetches on a token whose kid is
 * not in it, unless the last successful fetch is younger than `jwksCooldownMs` (default 30 s): then the
 * token is refused without a fetch, so unknown kids cannot hammer the IdP. Concurrent refetches are
 * coalesced into one. A JWKS that cannot be fetched is a 401 (`jwks-unavailable`), never a 500.
 */
export class JwtAuthenticator implements Authenticator {
  private key: Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey | undefined;
  /**
   * Verified tokens by SHA-256, so a client polling with the same token pays one signature check per
   * minute, not one per poll. An entry never outlives the token's `exp`.
   */
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  /** The configured impersonation rules, compiled once. */
  private readonly impersonation: Array<{ originalUser: RegExp; newUser: RegExp }>;

  constructor(
    private readonly cfg: JwtConfig,
    private readonly baseDir: string,
    /** Minimum time since the last JWKS fetch before an unknown kid triggers a refetch (jose's cooldown). */
    private readonly jwksCooldownMs = 30_000,
    /** Age after which the cached JWKS is refetched even for known kids (jose's cacheMaxAge). */
    private readonly jwksCacheMaxAgeMs = 600_000,
    /** Whether a name is a password (Basic) user's: such a subject is refused unless cfg.sharedNames. */
    private readonly isPasswordUser: (name: string) => boolean = () => false,
  ) {
    this.impersonation = cfg.impersonation.map((r) => ({
      originalUser: compilePatterns([r.originalUser])[0],
      newUser: compilePatterns([r.newUser])[0],
    }));
  }

  private async getKey(): Promise<Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey> {
    if (this.key) return this.key;
    if (this.cfg.secret) this.key = new TextEncoder().encode(this.cfg.secret);
    else if (this.cfg.publicKeyFile)
      // A KeyObject serves every allowed algorithm its key type fits (importSPKI binds one algorithm).
      this.key = createPublicKey(readFileSync(resolve(this.baseDir, this.cfg.publicKeyFile), 'utf8'));
    else {
      const remote = createRemoteJWKSet(new URL(this.cfg.jwksUrl!), {
        cooldownDuration: this.jwksCooldownMs,
        cacheMaxAge: this.jwksCacheMaxAgeMs,
        timeoutDuration: 5_000,
      });
      // Only relabels fetch failures; the set, its cache and its cooldown stay jose's.
      this.key = async (header, token) => {
        try {
          return await remote(header, token);
        } catch (e) {
          if (KEY_LOOKUP_ERRORS.has((e as { code?: string }).code ?? '')) throw e;
          throw new JwksUnavailable('JWKS unavailable', { cause: e });
        }
      };
    }
    return this.key;
  }

  authenticate(req: AuthRequest, token?: string): AuthOutcome {
    const t =
      token ??
      String(req.headers.authorization ?? '')
        .slice(7)
        .trim();
    if (!t || t.length > MAX_TOKEN)
      return unauthorized('malformed', 'Malformed or oversized bearer token', CHALLENGE);
    const digest = hash('sha256', t, 'base64');
    const now = Date.now();
    const hit = this.cache.get(digest);
    if (hit && hit.until > now) return { ok: true, principal: hit.principal };
    return this.verify(t, digest, now);
  }

  /**
   * refusal is the 401 for a verified token the gateway still does not take: no expiry (unless
   * cfg.requireExp is off), a lifetime beyond cfg.maxLifetimeSeconds, a user claim that is missing or holds
   * control characters, or a subject that is also a password user's name (unless cfg.sharedNames says
   * they are the same people).
   */
  private refusal(payload: JWTPayload): AuthResult | undefined {
    const { exp, iat } = payload;
    if (typeof exp !== 'number' && this.cfg.requireExp)
      return unauthorized('no-exp', 'Invalid bearer token: it has no expiry (exp claim)', CHALLENGE);
    const max = this.cfg.maxLifetimeSeconds;
    if (
      max !== undefined &&
      typeof exp === 'number' &&
      exp - (typeof iat === 'number' ? iat : Date.now() / 1000) > max
    )
      return unauthorized(
        'lifetime',
        `Invalid bearer token: it is valid for longer than ${max} s`,
        CHALLENGE,
      );
    const claim = this.cfg.userClaim;
    const name = payload[claim];
    if (typeof name !== 'string' || !name)
      return unauthorized('no-user', `Token has no "${claim}" claim`, CHALLENGE);
    if (CONTROL.test(name) || name.length > 256)
      return unauthorized(
        'bad-user',
        `Token's "${claim}" claim is no valid user name (control characters, or longer than 256)`,
        CHALLENGE,
      );
    if (!this.cfg.sharedNames && this.isPasswordUser(name))
      return unauthorized(
        'shared-name',
        `Token's "${claim}" names a password user of this gateway; set auth.jwt.sharedNames if they are the same people`,
        CHALLENGE,
      );
    return undefined;
  }

  /** verify checks the token's signature and claims, and caches a valid token's principal until it expires. */
  private async verify(t: string, digest: string, now: number): Promise<AuthResult> {
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
      if (e instanceof JwksUnavailable)
        return unauthorized(
          e.code,
          'Invalid bearer token: the signing keys (JWKS) could not be fetched; try again later',
          CHALLENGE,
        );
      const code = (e as { code?: string }).code ?? 'ERR_JWT_INVALID';
      if (code === errors.JWKSNoMatchingKey.code)
        return unauthorized(
          code,
          `Invalid bearer token: no key in the JWKS matches its kid "${printable(kidOf(t))}"`,
          CHALLENGE,
        );
      return unauthorized(
        code,
        `Invalid bearer token (${code.replace(/^ERR_/, '').toLowerCase()})`,
        CHALLENGE,
      );
    }
    const refused = this.refusal(payload);
    if (refused) return refused;
    const name = payload[this.cfg.userClaim] as string;
    const groupMap = this.cfg.groupMap;
    const defaultGroup = this.cfg.defaultGroupClaim ? payload[this.cfg.defaultGroupClaim] : undefined;
    const principal: Principal = {
      name,
      groups: [
        ...new Set(
          list(payload[this.cfg.groupsClaim]).flatMap((g) =>
            Object.hasOwn(groupMap, g) ? groupMap[g] : [g],
          ),
        ),
      ],
      roles: list(payload[this.cfg.rolesClaim]).filter((r) => r === 'admin' || r === 'user'),
      method: 'jwt',
      impersonate: this.impersonation.filter((r) => r.originalUser.test(name)).map((r) => r.newUser),
      ...(typeof defaultGroup === 'string' && defaultGroup ? { defaultGroup } : {}),
    };
    if (principal.roles.length === 0) principal.roles = ['user'];
    const until = Math.min(
      now + CACHE_TTL_MS,
      typeof payload.exp === 'number' ? payload.exp * 1000 : Infinity,
    );
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(digest, { principal, until });
    return { ok: true, principal };
  }
}
