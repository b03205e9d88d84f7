import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../src/auth/failure-limiter.js';
import { HashGate } from '../../src/auth/hash-gate.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { PasswordLogin } from '../../src/auth/password-login.js';
import type { UserRecord } from '../../src/auth/user-directory.js';

const ADDR = '192.0.2.7';
const ada: UserRecord = {
  name: 'ada',
  passwordHash: await hashPassword('right'),
  groups: ['*'],
  roles: ['admin'],
};

/** A login over a changeable directory; `hashes` counts the password hashes it started. */
function login(o: { gate?: (onHash: () => void) => HashGate; maxFailures?: number } = {}) {
  const users = new Map([[ada.name, ada]]);
  let hashes = 0;
  const onHash = () => void hashes++;
  const gate = o.gate?.(onHash) ?? new HashGate(2, 256, onHash);
  const limiter = new FailureLimiter({
    maxFailures: o.maxFailures ?? 3,
    windowSeconds: 60,
    blockSeconds: 60,
  });
  const l = new PasswordLogin({ get: (n) => users.get(n) }, limiter, gate);
  return { l, users, limiter, hashes: () => hashes };
}

describe('PasswordLogin', () => {
  it('answers the user record for the right password', async () => {
    const { l } = login();
    expect(await l.check(ADDR, 'ada', 'right')).toEqual({ ok: true, user: ada });
  });

  it.each([
    ['a wrong password', 'ada', 'wrong'],
    ['an unknown user', 'nobody', 'right'],
    ['an empty password', 'ada', ''],
  ])('refuses %s with a 401, after a hash all the same', async (_what, name, password) => {
    const { l, hashes } = login();
    expect(await l.check(ADDR, name, password)).toMatchObject({
      ok: false,
      status: 401,
      reason: 'bad-credentials',
    });
    expect(hashes()).toBe(1); // the answer's timing does not tell which names exist
  });

  it('counts failures in the shared limiter and then refuses with 429 before hashing', async () => {
    const { l, limiter, hashes } = login({ maxFailures: 2 });
    for (let i = 0; i < 2; i++) expect((await l.check(ADDR, 'ada', 'wrong')).ok).toBe(false);
    const hashed = hashes();
    const r = await l.check(ADDR, 'ada', 'right');
    expect(r).toMatchObject({ ok: false, status: 429, reason: 'rate-limited' });
    expect(r.ok === false && r.retryAfterSeconds).toBeGreaterThan(0);
    expect(hashes()).toBe(hashed);
    expect(limiter.blockedFor(ADDR, 'ada')).toBeGreaterThan(0); // the protocol's Basic sees the same block
  });

  it('answers 503 when the hash gate is full, and counts no guess', async () => {
    const { l } = login({ maxFailures: 1, gate: (onHash) => new HashGate(1, 0, onHash) });
    const other = '198.51.100.9';
    const running = l.check(ADDR, 'ada', 'right');
    expect(await l.check(other, 'bob', 'guess')).toMatchObject({ ok: false, status: 503, reason: 'busy' });
    await running;
    // Had the busy answer counted, one failure would block the pair now (429).
    expect(await l.check(other, 'bob', 'guess')).toMatchObject({ ok: false, status: 401 });
  });

  it('checks again against a record changed while the hash ran: an old password no longer passes', async () => {
    const { l, users } = login();
    const changed = { ...ada, passwordHash: await hashPassword('new') };
    const checking = l.check(ADDR, 'ada', 'right');
    users.set('ada', changed);
    expect(await checking).toMatchObject({ ok: false, status: 401 });
    expect(await l.check(ADDR, 'ada', 'new')).toMatchObject({ ok: true });
  });
});
