import { describe, expect, it } from 'vitest';
import type { AuthResult } from '../../src/auth/authenticator.js';
import { BasicAuthenticator } from '../../src/auth/basic.js';
import { FailureLimiter } from '../../src/auth/failure-limiter.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { userDirectory } from '../helpers/user-directory.js';

describe('Basic verification cache', () => {
  it('pays the hash once per credential and TTL, and never serves a wrong password from it', async () => {
    let now = 0;
    const users = userDirectory([
      { name: 'a', passwordHash: await hashPassword('pw'), groups: [], roles: ['user'] },
    ]);
    const auth = new BasicAuthenticator(
      users,
      new FailureLimiter({ maxFailures: 100, windowSeconds: 60, blockSeconds: 60 }),
      1000,
      () => now,
    );
    const req = (pw: string) => ({
      headers: { authorization: `Basic ${Buffer.from(`a:${pw}`).toString('base64')}` },
      remoteAddress: '1.1.1.1',
    });
    expect((await auth.authenticate(req('pw'))).ok).toBe(true);
    // Cached: the user's hash is replaced by garbage, yet the same credential still passes within the TTL…
    users.users.get('a')!.passwordHash = 'garbage';
    expect((await auth.authenticate(req('pw'))).ok).toBe(false); // …no: the key includes the stored hash, so a changed hash misses
    expect((await auth.authenticate(req('wrong'))).ok).toBe(false);
    const freshUsers = userDirectory([
      { name: 'a', passwordHash: await hashPassword('pw'), groups: [], roles: ['user'] },
    ]);
    const fresh = new BasicAuthenticator(
      freshUsers,
      new FailureLimiter({ maxFailures: 100, windowSeconds: 60, blockSeconds: 60 }),
      1000,
      () => now,
    );
    expect((await fresh.authenticate(req('pw'))).ok).toBe(true);
    // Within the TTL the answer is there at once, not as a promise: a poll stays synchronous.
    const cached = fresh.authenticate(req('pw'));
    expect(cached).not.toBeInstanceOf(Promise);
    expect((cached as AuthResult).ok).toBe(true);
    now = 2000; // past the TTL the credential is verified again (and still passes)
    const again = fresh.authenticate(req('pw'));
    expect(again).toBeInstanceOf(Promise);
    expect((await again).ok).toBe(true);
    // A removed user's credential stops passing at once, cached or not.
    freshUsers.users.delete('a');
    expect((await fresh.authenticate(req('pw'))).ok).toBe(false);
  });
});
