import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/auth/password-hash.js';

describe('password hashes', () => {
  it('verify the right password only, and never throw on malformed hashes', async () => {
    const h = await hashPassword('pw');
    expect(await verifyPassword('pw', h)).toBe(true);
    expect(await verifyPassword('PW', h)).toBe(false);
    for (const bad of [
      '',
      'plain',
      'scrypt$1$1$1$x$y',
      'scrypt$16385$8$1$aaaaaaaaaaaa$bbbbbbbbbbbbbbbbbbbb',
      h.slice(0, -3),
    ])
      expect(await verifyPassword('pw', bad)).toBe(false);
  });
});
