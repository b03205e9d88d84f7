import { describe, expect, it } from 'vitest';
import { oidcConfigSchema } from '../../src/auth/oidc-config.js';
import { TokenCodec, principalClaims } from '../../src/auth/oidc-token.js';

const SECRET = 'a-test-secret-of-enough-length';
const base = { issuer: 'https://idp.example.com', clientId: 'switchyard', clientSecret: 's' };

describe('TokenCodec and claims', () => {
  const cfg = oidcConfigSchema.parse({
    ...base,
    groupMap: { 'idp-eng': ['adhoc', 'etl'] },
    defaultGroupClaim: 'dg',
  });

  it('maps claims to a principal as auth.jwt does', () => {
    expect(
      principalClaims(cfg, { sub: 'alice', groups: ['idp-eng', 'x'], roles: ['admin', 'root'], dg: 'etl' }),
    ).toEqual({ name: 'alice', groups: ['adhoc', 'etl', 'x'], roles: ['admin'], defaultGroup: 'etl' });
    expect(principalClaims(cfg, { sub: 'bob', groups: 'a b' })).toEqual({
      name: 'bob',
      groups: ['a', 'b'],
      roles: ['user'],
    });
    expect(principalClaims(cfg, { email: 'no-sub' })).toBeUndefined();
    expect(principalClaims(cfg, { sub: 'bell\u0007' })).toBeUndefined();
    expect(principalClaims(cfg, { sub: 'x'.repeat(257) })).toBeUndefined();
  });

  it('seals a token only the gateway can open, and keeps an expired one’s content for refresh', async () => {
    const codec = new TokenCodec(SECRET, 'https://gw', 0);
    const rt = 'the-refresh-token-0123456789';
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = await codec.seal({
      name: 'alice',
      groups: ['g'],
      roles: ['user'],
      refreshToken: rt,
      exp,
    });
    // Sealed: neither the refresh token nor its base64url spelling can be read off the token.
    expect(token).not.toContain(rt);
    expect(token).not.toContain(Buffer.from(rt).toString('base64url').slice(0, 16));
    expect(await codec.open(token)).toEqual({
      ok: true,
      content: { name: 'alice', groups: ['g'], roles: ['user'], refreshToken: rt, exp },
    });
    expect((await new TokenCodec('another-secret-entirely', 'https://gw', 0).open(token)).ok).toBe(false);
    expect((await new TokenCodec(SECRET, 'https://other-gw', 0).open(token)).ok).toBe(false);
    const old = await codec.seal({
      name: 'alice',
      groups: [],
      roles: ['user'],
      refreshToken: rt,
      exp: exp - 120,
    });
    const opened = await codec.open(old);
    expect(opened).toMatchObject({
      ok: false,
      code: 'ERR_JWT_EXPIRED',
      expired: { name: 'alice', refreshToken: rt },
    });
  });
});
