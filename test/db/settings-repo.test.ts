import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { SettingsRepo } from '../../src/db/settings-repo.js';

describe('SettingsRepo', () => {
  const repo = () => new SettingsRepo(openDatabase(':memory:').db);

  it('stores, reads and overwrites a value; a missing key is undefined', () => {
    const r = repo();
    expect(r.get('k')).toBeUndefined();
    r.set('k', 'v1');
    r.set('k', 'v2');
    expect(r.get('k')).toBe('v2');
  });

  it('makes a random secret once and answers the same one after', () => {
    const r = repo();
    const s = r.getOrCreateSecret('session');
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    expect(r.getOrCreateSecret('session')).toBe(s);
    expect(r.get('session')).toBe(s);
    expect(r.getOrCreateSecret('other')).not.toBe(s);
    expect(r.getOrCreateSecret('short', 9)).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });

  it('keeps a secret set before (another replica, an operator)', () => {
    const r = repo();
    r.set('session', 'given');
    expect(r.getOrCreateSecret('session')).toBe('given');
  });
});
