import { createHash } from 'node:crypto';
import { EncryptJWT, errors, jwtDecrypt, type JWTPayload } from 'jose';
import type { OidcConfig } from './oidc-config.js';
import type { Principal } from './principal.js';

/** The audience of the gateway's own tokens: only this gateway (and its replicas) accepts them. */
const AUDIENCE = 'switchyard-oidc';

/** What the gateway's token holds: the principal as the IdP described it at sign-in, and the refresh token. */
export interface TokenContent {
  name: string;
  groups: string[];
  roles: string[];
  defaultGroup?: string;
  /** The IdP's refresh token, when it gave one (sealed: the client cannot read it). */
  refreshToken?: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

/** The outcome of opening a token: its content, or why it was refused (expired ones keep their content). */
export type Opened =
  { ok: true; content: TokenContent } | { ok: false; code: string; expired?: TokenContent };

/** Control characters (C0, DEL, C1): never part of a user name, and no header could carry them. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string'
      ? v.split(/[ ,]+/).filter(Boolean)
      : [];

/**
 * principalClaims maps verified ID-token (or bearer JWT) claims to a principal's fields, as auth.jwt maps
 * its claims: the user claim is the name, groups pass through auth.oidc.groupMap, only admin and user are
 * roles (none named: user). Undefined when the user claim is missing, longer than 256 characters or holds
 * control characters.
 */
export function principalClaims(cfg: OidcConfig, claims: JWTPayload): Omit<TokenContent, 'exp'> | undefined {
  const name = claims[cfg.userClaim];
  if (typeof name !== 'string' || !name || name.length > 256 || CONTROL.test(name)) return undefined;
  const map = cfg.groupMap;
  const groups = [
    ...new Set(list(claims[cfg.groupsClaim]).flatMap((g) => (Object.hasOwn(map, g) ? map[g] : [g]))),
  ];
  const roles = [...new Set(list(claims[cfg.rolesClaim]).filter((r) => r === 'admin' || r === 'user'))];
  const dg = cfg.defaultGroupClaim ? claims[cfg.defaultGroupClaim] : undefined;
  return {
    name,
    groups,
    roles: roles.length ? roles : ['user'],
    ...(typeof dg === 'string' && dg ? { defaultGroup: dg } : {}),
  };
}

export const toPrincipal = (c: TokenContent): Principal => ({
  name: c.name,
  groups: c.groups,
  roles: c.roles,
  method: 'oidc',
  ...(c.defaultGroup ? { defaultGroup: c.defaultGroup } : {}),
});

/**
 * TokenCodec seals the token the gateway hands to Trino clients after an OIDC sign-in: a JWE (dir,
 * A256GCM) under a key only the gateway holds, as Trino's JweTokenSerializer does in refresh-token mode.
 * The client cannot read or alter it; the IdP's refresh token travels inside it, never in the clear.
 */
export class TokenCodec {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly issuer: string,
    private readonly clockToleranceSeconds: number,
  ) {
    this.key = createHash('sha256').update(`switchyard-oidc-token\u0000${secret}`).digest();
  }

  seal(c: TokenContent): Promise<string> {
    const { exp, name, groups, roles, defaultGroup, refreshToken } = c;
    return new EncryptJWT({
      grp: groups,
      rol: roles,
      ...(defaultGroup ? { dg: defaultGroup } : {}),
      rt: refreshToken,
    })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setSubject(name)
      .setIssuer(this.issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(exp)
      .encrypt(this.key);
  }

  async open(token: string): Promise<Opened> {
    try {
      const { payload } = await jwtDecrypt(token, this.key, {
        issuer: this.issuer,
        audience: AUDIENCE,
        clockTolerance: this.clockToleranceSeconds,
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      const content = contentOf(payload);
      return content ? { ok: true, content } : { ok: false, code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' };
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'ERR_JWE_INVALID';
      // jose decrypted and checked it, only the time is past: the content is genuine and may be refreshed.
      if (e instanceof errors.JWTExpired) return { ok: false, code, expired: contentOf(e.payload) };
      return { ok: false, code };
    }
  }
}

function contentOf(p: JWTPayload): TokenContent | undefined {
  if (typeof p.sub !== 'string' || typeof p.exp !== 'number') return undefined;
  return {
    name: p.sub,
    groups: list(p.grp),
    roles: list(p.rol),
    exp: p.exp,
    ...(typeof p.dg === 'string' ? { defaultGroup: p.dg } : {}),
    ...(typeof p.rt === 'string' ? { refreshToken: p.rt } : {}),
  };
}
