import { describe, expect, it } from 'vitest';
import { BUSY, HashGate } from '../../src/auth/hash-gate.js';
import { hashPassword } from '../../src/auth/password-hash.js';

describe('HashGate', () => {
  it('verifies against the stored hash, and says false for a user without one', async () => {
    const hash = await hashPassword('pw');
    const gate = new HashGate();
    expect(await gate.verify('pw', hash, false)).toBe(true);
    expect(await gate.verify('nope', hash, false)).toBe(false);
    // No hash: the dummy is checked (same cost) and the answer is false, even for the dummy's password.
    expect(await gate.verify('pw', undefined, false)).toBe(false);
    expect(await gate.verify('', undefined, true)).toBe(false);
  });

  it('runs at most `concurrency` checks, queues up to maxQueued, refuses the rest as BUSY', async () => {
    const hash = await hashPassword('pw');
    const gate = new HashGate(2, 1);
    const checks = [gate.verify('pw', hash, false), gate.verify('pw', hash, false)];
    expect(gate.active()).toBe(2);
    checks.push(gate.verify('pw', hash, false)); // queued as a stranger
    checks.push(gate.verify('pw', hash, true)); // queued as familiar: its own queue
    expect(gate.waiting()).toBe(2);
    expect(await gate.verify('pw', hash, false)).toBe(BUSY);
    expect(await gate.verify('pw', hash, true)).toBe(BUSY);
    expect(await Promise.all(checks)).toEqual([true, true, true, true]);
    expect(gate.active()).toBe(0);
    expect(gate.waiting()).toBe(0);
  });

  it('serves queued familiar logins before strangers queued earlier', async () => {
    const hash = await hashPassword('pw');
    const started: string[] = [];
    const gate = new HashGate(1, 10, (familiar) => started.push(familiar ? 'familiar' : 'stranger'));
    const all = [
      gate.verify('pw', hash, false),
      gate.verify('pw', hash, false),
      gate.verify('pw', hash, false),
      gate.verify('pw', hash, true),
    ];
    await Promise.all(all);
    expect(started).toEqual(['stranger', 'familiar', 'stranger', 'stranger']);
  });
});
