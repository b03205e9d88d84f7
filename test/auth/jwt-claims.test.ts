import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-hash.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const SECRET = 'a-shared-secret-of-at-least-32-chars';
const key = new TextEncoder().encode(SECRET);

/** sign makes an HS256 token for `sub`, expiring after `exp` (a jose time span) or never (null). */
function sign(sub: string, exp: string | null = '5m'): Promise<string> {
  const jwt = new SignJWT({ groups: ['adhoc'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt();
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(key);
}

/**
 * The claims a verified token must still satisfy: an expiry (a token without one would be valid forever),
 * a lifetime within the configured maximum, a user name without control characters (a clear 401, never a
 * 502 blaming the cluster), and a subject that is not also a password user's name unless the config says
 * they are the same people.
 */
describe('JWT claims', () => {
  let emu: TrinoEmulator;
  let strict: TestGateway;
  let shared: TestGateway;
  const jwt = (sharedNames: boolean) => ({
    enabled: true,
    secret: SECRET,
    algorithms: ['HS256'],
    maxLifetimeSeconds: 3600,
    sharedNames,
  });

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1' });
    const users = [{ name: 'alice', passwordHash: await hashPassword('alice-pw'), groups: ['adhoc'] }];
    const cfg = (sharedNames: boolean) =>
      testConfig([{ name: 'trino-1', url: emu.url }], {
        auth: { mode: 'password', forwardAuthorization: 'never', users, jwt: jwt(sharedNames) },
      });
    strict = await startGateway(cfg(false));
    shared = await startGateway(cfg(true));
  });
  afterAll(async () => {
    await strict?.stop();
    await shared?.stop();
    await emu?.stop();
  });

  const submit = async (gw: TestGateway, token: string) => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: (await res.json()) as { message?: string; errorName?: string } };
  };

  it('accepts a token with a short expiry (control)', async () => {
    expect((await submit(strict, await sign('frank'))).status).toBe(200);
  });

  it('refuses a token without exp, and one valid for longer than maxLifetimeSeconds', async () => {
    const never = await submit(strict, await sign('frank', null));
    expect(never.status).toBe(401);
    expect(never.body.message).toMatch(/no expiry/);
    const long = await submit(strict, await sign('frank', '30d'));
    expect(long.status).toBe(401);
    expect(long.body.message).toMatch(/longer than 3600 s/);
  });

  it('answers a subject with control characters with a 401 naming the claim, and never asks the cluster', async () => {
    emu.requests = [];
    for (const sub of ['eve\r\nX-Trino-User: admin', 'eve\u0000', 'eve\u0085']) {
      const r = await submit(strict, await sign(sub));
      expect(r.status, JSON.stringify(sub)).toBe(401);
      expect(r.body.message).toMatch(/"sub" claim is no valid user name/);
    }
    expect(emu.requests).toEqual([]);
  });

  it('refuses a subject that is also a password user, unless sharedNames says they are the same people', async () => {
    const r = await submit(strict, await sign('alice'));
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(/names a password user.*auth\.jwt\.sharedNames/);
    expect((await submit(shared, await sign('alice'))).status).toBe(200);
  });
});
