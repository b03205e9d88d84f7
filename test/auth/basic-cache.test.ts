import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthResult } from '../../src/auth/authenticator.js';
import { BasicAuthenticator } from '../../src/auth/basic.js';
import { FailureLimiter } from '../../src/auth/failure-limiter.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { userDirectory } from '../helpers/user-directory.js';

/** Every password check the authenticator starts, to count them and to wait for them. */
const checks: Array<Promise<boolean>> = [];
vi.mock('../../src/auth/password-hash.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/auth/password-hash.js')>();
  return {
    ...real,
    verifyPassword: (password: string, hash: string) => {
      const p = real.verifyPassword(password, hash);
      checks.push(p);
      return p;
    },
  };
});

const TTL = 1000;
const req = (pw: string) => ({
  headers: { authorization: `Basic ${Buffer.from(`a:${pw}`).toString('base64')}` },
  remoteAddress: '1.1.1.1',
});

async function setup(maxFailures = 100) {
  const clock = { now: 0 };
  const users = userDirectory([
    { name: 'a', passwordHash: await hashPassword('pw'), groups: [], roles: ['admin'] },
  ]);
  const limiter = new FailureLimiter({ maxFailures, windowSeconds: 60, blockSeconds: 60 });
  /** replace swaps user a's record for a new one, as the admin API does. */
  const replace = async (pw: string, roles: string[]) =>
    users.users.set('a', {
      name: 'a',
      passwordHash: await hashPassword(pw),
      groups: [],
      roles,
    });
  return { clock, limiter, replace, auth: new BasicAuthenticator(users, limiter, TTL, () => clock.now) };
}

describe('Basic verification cache under concurrency', () => {
  beforeEach(() => {
    checks.length = 0;
  });

  it('checks a credential once for all the requests that arrive while it is being checked', async () => {
    const { auth } = await setup();
    const outcomes = Array.from({ length: 32 }, () => auth.authenticate(req('pw')));
    expect(checks).toHaveLength(1);
    for (const r of await Promise.all(outcomes)) expect(r.ok).toBe(true);
    // A different password is a different credential: its own check, never the shared one's answer.
    const wrong = await Promise.all([auth.authenticate(req('nope')), auth.authenticate(req('nope'))]);
    expect(checks).toHaveLength(2);
    for (const r of wrong) expect(r).toMatchObject({ ok: false, status: 401 });
  });

  it('counts concurrent repeats of one wrong password as one failed guess', async () => {
    const { auth, limiter } = await setup(2);
    await Promise.all(Array.from({ length: 8 }, () => auth.authenticate(req('nope'))));
    expect(limiter.blockedFor('1.1.1.1', 'a')).toBe(0);
    await auth.authenticate(req('nope2'));
    expect(limiter.blockedFor('1.1.1.1', 'a')).toBeGreaterThan(0);
  });

  it('never answers from a check started against a user record that changed meanwhile', async () => {
    const { auth, clock, replace } = await setup();
    expect((await auth.authenticate(req('pw'))).ok).toBe(true);
    clock.now = TTL * 0.8;
    expect(auth.authenticate(req('pw'))).not.toBeInstanceOf(Promise); // a renewal starts…
    expect(checks).toHaveLength(2);
    await replace('new-pw', ['user']); // …and the password changes (and the admin role goes) while it runs
    const old = await auth.authenticate(req('pw'));
    expect(old.ok).toBe(false);
    await Promise.all(checks);
    await new Promise((r) => setImmediate(r));
    expect((await auth.authenticate(req('pw'))).ok).toBe(false); // the renewal cached nothing
    const fresh = await auth.authenticate(req('new-pw'));
    expect(fresh.ok && fresh.principal.roles).toEqual(['user']);
  });

  it('lets no more concurrent guesses be checked than the limits allow', async () => {
    const { auth } = await setup(5);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => auth.authenticate(req(`guess${i}`))),
    );
    expect(checks.length).toBeLessThanOrEqual(5);
    expect(results.filter((r) => !r.ok && r.status === 429).length).toBeGreaterThanOrEqual(35);
  });

  it('renews an entry in its last quarter in the background, so polls never wait for the hash', async () => {
    const { auth, clock } = await setup();
    expect((await auth.authenticate(req('pw'))).ok).toBe(true);
    expect(checks).toHaveLength(1);
    clock.now = TTL / 2; // early in the entry's life: a plain hit
    expect(auth.authenticate(req('pw'))).not.toBeInstanceOf(Promise);
    expect(checks).toHaveLength(1);
    clock.now = TTL * 0.8; // last quarter: the hit is served and one renewal starts
    for (let i = 0; i < 5; i++) {
      const hit = auth.authenticate(req('pw'));
      expect(hit).not.toBeInstanceOf(Promise);
      expect((hit as AuthResult).ok).toBe(true);
    }
    expect(checks).toHaveLength(2);
    await checks[1];
    await new Promise((r) => setImmediate(r));
    clock.now = TTL * 1.5; // past the first entry's end, within the renewed one's
    expect(auth.authenticate(req('pw'))).not.toBeInstanceOf(Promise);
    expect(checks).toHaveLength(2);
    clock.now = TTL * 3; // unused for a whole TTL: it ran out, and the next request waits for a check
    expect(auth.authenticate(req('pw'))).toBeInstanceOf(Promise);
  });
});

describe('Basic credential encodings', () => {
  it('accepts a non-ASCII name and password sent as UTF-8 (trino-js, curl) or as ISO-8859-1 (JDBC, CLI, Python)', async () => {
    const users = userDirectory([
      { name: 'josé', passwordHash: await hashPassword('pässwörd'), groups: [], roles: ['user'] },
    ]);
    const auth = new BasicAuthenticator(
      users,
      new FailureLimiter({ maxFailures: 100, windowSeconds: 60, blockSeconds: 60 }),
      0,
    );
    const as = (encoding: BufferEncoding, pw: string) => ({
      headers: { authorization: `Basic ${Buffer.from(`josé:${pw}`, encoding).toString('base64')}` },
      remoteAddress: '1.1.1.1',
    });
    for (const encoding of ['utf8', 'latin1'] as const) {
      expect((await auth.authenticate(as(encoding, 'pässwörd'))).ok, encoding).toBe(true);
      expect((await auth.authenticate(as(encoding, 'passwörd'))).ok, encoding).toBe(false);
    }
  });
});
