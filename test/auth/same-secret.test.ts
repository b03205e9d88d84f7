import { describe, expect, it } from 'vitest';

describe('sameSecret (the /metrics token check)', () => {
  it('compares in constant time whatever the lengths, and only the exact secret passes', async () => {
    const { sameSecret } = await import('../../src/auth/same-secret.js');
    expect(sameSecret('Bearer t0ken', 'Bearer t0ken')).toBe(true);
    for (const given of ['', 'Bearer t0ke', 'Bearer t0ken ', 'bearer t0ken', 'Bearer t0ken'.repeat(100)])
      expect(sameSecret(given, 'Bearer t0ken'), JSON.stringify(given)).toBe(false);
  });
});
