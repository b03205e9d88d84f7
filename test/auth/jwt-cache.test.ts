import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwtConfig } from '../helpers/jwt-config.js';
import { JwtAuthenticator } from '../../src/auth/jwt.js';

const SECRET = 'a-shared-secret-of-enough-length';
const cfg = jwtConfig({ secret: SECRET, algorithms: ['HS256'] });
const sign = (exp: number, secret = SECRET) =>
  new SignJWT({ groups: ['adhoc'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
const req = (token: string) => ({
  headers: { authorization: `Bearer ${token}` },
  remoteAddress: '127.0.0.1',
});

describe('JWT verification cache', () => {
  it('answers a repeated token from the cache but never past its exp', async () => {
    const auth = new JwtAuthenticator(cfg, process.cwd());
    const token = await sign(Math.floor(Date.now() / 1000) + 2);
    const first = await auth.authenticate(req(token));
    expect(first.ok).toBe(true);
    const again = await auth.authenticate(req(token));
    expect(again.ok && again.principal).toEqual(first.ok && first.principal);
    await new Promise((r) => setTimeout(r, 2100));
    const late = await auth.authenticate(req(token));
    expect(late.ok).toBe(false);
    expect(!late.ok && late.status).toBe(401);
  });

  it('a token with the same claims but a forged signature never hits the cache', async () => {
    const auth = new JwtAuthenticator(cfg, process.cwd());
    const exp = Math.floor(Date.now() / 1000) + 60;
    expect((await auth.authenticate(req(await sign(exp)))).ok).toBe(true);
    const forged = await auth.authenticate(req(await sign(exp, 'another-secret-of-enough-length')));
    expect(forged.ok).toBe(false);
  });
});
