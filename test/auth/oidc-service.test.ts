import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcConfigSchema } from '../../src/auth/oidc-config.js';
import { createOidc } from '../../src/auth/oidc-service.js';
import { silentLogger } from '../../src/observability/logger.js';
import { startIdp, type TestIdp } from '../helpers/oidc-provider.js';

const SECRET = 'a-gateway-secret-of-thirty-two-bytes-or-more-0123456789';

describe('createOidc', () => {
  let idp: TestIdp;
  beforeAll(async () => {
    idp = await startIdp({ users: [{ sub: 'alice' }] });
  });
  afterAll(() => idp?.stop());
  const cfg = (o: Record<string, unknown> = {}) =>
    oidcConfigSchema.parse({ issuer: idp.issuer, clientId: 'switchyard', clientSecret: 'cs', ...o });
  const make = (o: { isPasswordUser?: (n: string) => boolean; publicUrl?: string } = {}) =>
    createOidc(cfg(), {
      publicUrl: o.publicUrl ?? 'https://gw.example.com',
      secret: SECRET,
      logger: silentLogger(),
      isPasswordUser: o.isPasswordUser,
    });

  it('talks to the identity provider not at all until it is used', () => {
    const before = idp.paths.length;
    make();
    expect(idp.paths.length).toBe(before);
  });

  it('registers the callback under the public URL', () => {
    const s = make({ publicUrl: 'https://gw.example.com/trino' });
    expect(s.client.redirectUri).toBe('https://gw.example.com/trino/oidc/callback');
    expect(s.publicUrl).toBe('https://gw.example.com/trino');
  });

  it('refuses an IdP user named like a password user, naming why, and nobody else', () => {
    const s = make({ isPasswordUser: (n) => n === 'carol' });
    expect(s.refusal('carol')).toBe(
      'carol is also the name of a password user of this gateway, who may be someone else; the IdP user is refused',
    );
    expect(s.refusal('alice')).toBeUndefined();
    expect(make().refusal('carol')).toBeUndefined();
  });

  it('seals tokens with the shared secret, so another replica (or a restart) opens them', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = await make().codec.seal({ name: 'alice', groups: ['adhoc'], roles: ['user'], exp });
    expect(await make().codec.open(token)).toMatchObject({ ok: true, content: { name: 'alice', exp } });
    const other = createOidc(cfg(), {
      publicUrl: 'https://gw.example.com',
      secret: SECRET.replace('0', '1'),
      logger: silentLogger(),
    });
    expect(await other.codec.open(token)).toMatchObject({ ok: false });
  });

  it('signs exchange ids with the shared secret too', () => {
    const { tokenId, initiateId } = make().exchange.issue();
    expect(make().exchange.verifyToken(tokenId)).toBeDefined();
    expect(make().exchange.verifyInitiate(initiateId)).toBeDefined();
    const other = createOidc(cfg(), {
      publicUrl: 'https://gw.example.com',
      secret: SECRET.replace('0', '1'),
      logger: silentLogger(),
    });
    expect(other.exchange.verifyToken(tokenId)).toBeUndefined();
  });

  it('challenges on the public URL, under /oidc', () => {
    const h = make().authenticator.challenge();
    expect(h).toMatch(
      /^Bearer x_redirect_server="https:\/\/gw\.example\.com\/oidc\/token\/initiate\/[^"]+", x_token_server="https:\/\/gw\.example\.com\/oidc\/token\/[^"]+"$/,
    );
  });
});
