import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '../../src/compose/services.js';
import { buildTestServices, releaseServices } from '../helpers/built-services.js';
import { passwordAuth } from '../helpers/start-gateway.js';

afterEach(releaseServices);

const services = async (extra: Record<string, unknown>): Promise<Services> =>
  (await buildTestServices([], extra)).s;
const basic = (user: string, pw: string) => ({
  headers: { authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` },
  remoteAddress: '198.51.100.7',
});

describe('buildAuth', () => {
  it('counts failed Basic logins and console sign-ins in one limiter', async () => {
    const auth = await passwordAuth(['alice', 'alice-password']);
    const s = await services({
      auth: { ...auth, lockout: { maxFailures: 3, windowSeconds: 600, blockSeconds: 600 } },
    });
    for (let i = 0; i < 2; i++)
      expect(await s.authenticator.authenticate(basic('alice', 'wrong'))).toMatchObject({
        ok: false,
        status: 401,
      });
    expect(await s.passwords.check('198.51.100.7', 'alice', 'wrong-too')).toMatchObject({ ok: false });
    // Three failures over both paths: now even the right password is refused, at both.
    expect(await s.passwords.check('198.51.100.7', 'alice', 'alice-password')).toMatchObject({
      ok: false,
      status: 429,
    });
    expect(await s.authenticator.authenticate(basic('alice', 'alice-password'))).toMatchObject({
      ok: false,
      status: 429,
    });
    expect(s.loginLimiter.blockedFor('198.51.100.7', 'alice')).toBeGreaterThan(0);
  });

  it('counts each password hash it computes', async () => {
    const s = await services({ auth: await passwordAuth(['alice', 'alice-password']) });
    expect(await s.authenticator.authenticate(basic('alice', 'alice-password'))).toMatchObject({ ok: true });
    const hashes = (await s.metrics.passwordHashes.get()).values[0]?.value;
    expect(hashes).toBe(1);
  });

  it('knows config users and stored users through one directory', async () => {
    const s = await services({ auth: await passwordAuth(['alice', 'alice-password']) });
    expect(s.users.get('alice')).toMatchObject({ name: 'alice' });
    expect(s.users.get('nobody')).toBeUndefined();
  });

  it('builds OIDC only when auth.oidc is configured, refusing IdP users named like password users', async () => {
    expect((await services({ auth: await passwordAuth(['alice', 'pw-of-alice']) })).oidc).toBeUndefined();
    const s = await services({
      auth: {
        ...(await passwordAuth(['carol', 'carol-password'])),
        oidc: { issuer: 'http://127.0.0.1:9', clientId: 'gw', clientSecret: 'cs' },
      },
    });
    expect(s.oidc).toBeDefined();
    expect(s.oidc!.client.redirectUri).toBe(`${s.config.server.publicUrl}/oidc/callback`);
    expect(s.oidc!.refusal('carol')).toMatch(/^carol is also the name of a password user/);
    expect(s.oidc!.refusal('dave')).toBeUndefined();
  });
});
