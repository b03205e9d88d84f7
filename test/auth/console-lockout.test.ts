import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../src/auth/failure-limiter.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/**
 * The console's sign-in meets the protocol's failed-login limiter: wrong passwords for the admin from
 * rotating addresses block the admin at unfamiliar addresses only, never at the address it signs in from;
 * and keeping the limiter's memory bounded never lifts a block. Client addresses come from X-Forwarded-For
 * written by a trusted proxy (127.0.0.1), as behind an ingress.
 */
describe('console sign-in under attack', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway(
      testConfig([], {
        server: { host: '127.0.0.1', port: 0, trustedProxies: ['127.0.0.1'] },
        auth: {
          mode: 'password',
          users: [
            {
              name: 'root',
              passwordHash: await hashPassword('s3cret'),
              roles: ['admin', 'user'],
              groups: ['*'],
            },
            { name: 'bob', passwordHash: await hashPassword('bob-pw'), roles: ['user'], groups: ['*'] },
          ],
          lockout: { maxFailures: 3, windowSeconds: 60, blockSeconds: 60, maxKeys: 30 },
        },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
  });

  /** signIn posts the console's sign-in form from `address`, with its login token, and returns the status. */
  async function signIn(user: string, password: string, address: string): Promise<number> {
    const xff = { 'x-forwarded-for': address };
    const page = await fetch(`${gw.url}/console/login`, { headers: xff });
    const nonce = /sy_login=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1];
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const res = await fetch(`${gw.url}/console/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...xff, cookie: `sy_login=${nonce}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user, password, _csrf: token, next: '/console' }).toString(),
    });
    await res.arrayBuffer();
    return res.status;
  }

  it("keeps the admin's usual address open while wrong passwords for it come from rotating addresses", async () => {
    expect(await signIn('root', 's3cret', '10.0.0.1')).toBe(303); // the admin's usual place
    const answers: number[] = [];
    for (let i = 0; i < 16; i++) answers.push(await signIn('root', `guess${i}`, `10.9.${i}.1`));
    // The user rule (4 × 3 failures) now refuses root at unfamiliar addresses, even with the right password…
    expect(answers.slice(0, 12).every((s) => s === 401)).toBe(true);
    expect(answers.slice(12)).toEqual([429, 429, 429, 429]);
    expect(await signIn('root', 's3cret', '10.9.99.1')).toBe(429);
    // …but not where it signs in from.
    expect(await signIn('root', 's3cret', '10.0.0.1')).toBe(303);
  });

  it('shares one limiter with the protocol: guesses at either place count against the same pair', async () => {
    for (let i = 0; i < 2; i++) expect(await signIn('bob', `guess${i}`, '10.1.0.1')).toBe(401);
    const wrong = await fetch(`${gw.url}/api/v1/queries`, {
      headers: { authorization: basic('bob', 'guess2'), 'x-forwarded-for': '10.1.0.1' },
    });
    expect(wrong.status).toBe(401);
    expect(await signIn('bob', 'bob-pw', '10.1.0.1')).toBe(429);
  });

  it('never lifts a block to keep its memory bounded, however many new names fail', async () => {
    for (let i = 0; i < 3; i++) await signIn('bob', `nope${i}`, '10.2.0.1');
    expect(await signIn('bob', 'bob-pw', '10.2.0.1')).toBe(429);
    // 40 failures for new names from new addresses: three new counters each, far beyond maxKeys (30).
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${gw.url}/api/v1/queries`, {
        headers: { authorization: basic(`new${i}`, 'x'), 'x-forwarded-for': `10.3.${i}.1` },
      });
      expect(res.status).toBe(401);
    }
    expect(await signIn('bob', 'bob-pw', '10.2.0.1')).toBe(429);
  });
});

describe('FailureLimiter memory bound', () => {
  it('forgets counters that block nothing before any that blocks', () => {
    const t = 0;
    const l = new FailureLimiter(
      { maxFailures: 2, windowSeconds: 60, blockSeconds: 60, maxKeys: 20 },
      () => t,
    );
    for (let i = 0; i < 2; i++) l.fail(l.attempt('1.1.1.1', 'bob'));
    expect(l.blockedFor('1.1.1.1', 'bob')).toBeGreaterThan(0);
    for (let i = 0; i < 1000; i++) l.fail(l.attempt(`2.2.${i >> 8}.${i & 255}`, `u${i}`));
    expect(l.blockedFor('1.1.1.1', 'bob')).toBeGreaterThan(0);
  });
});
