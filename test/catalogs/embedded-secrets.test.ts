import { describe, expect, it } from 'vitest';
import { scrubEmbeddedSecrets, scrubKnownSecrets } from '../../src/catalogs/embedded-secrets.js';
import { secretKeyMatcher } from '../../src/catalogs/secrets.js';

const isSecret = secretKeyMatcher(['password', 'token']);

describe('scrubEmbeddedSecrets', () => {
  it('masks the password of a URL user info, keeping the user and host', () => {
    const found: string[] = [];
    expect(scrubEmbeddedSecrets('http://bob:pa55@db.example:5432/x', isSecret, found)).toBe(
      'http://bob:***@db.example:5432/x',
    );
    expect(found).toEqual(['pa55']);
  });

  it('leaves a user without a password, and a host:port without user info, alone', () => {
    expect(scrubEmbeddedSecrets('http://bob@db:5432/x', isSecret)).toBe('http://bob@db:5432/x');
    expect(scrubEmbeddedSecrets('http://db:5432/x?a=b', isSecret)).toBe('http://db:5432/x?a=b');
  });

  it('masks name=value pairs whose name is secret, up to &, ;, a comma, whitespace or a quote', () => {
    const found: string[] = [];
    const out = scrubEmbeddedSecrets(
      "jdbc:x://h/db?user=a&password=p1&ssl=true;Password=p2;AccessToken = t3,x=1 'token=t4' Password=p5)",
      isSecret,
      found,
    );
    expect(out).toBe(
      "jdbc:x://h/db?user=a&password=***&ssl=true;Password=***;AccessToken = ***,x=1 'token=***' Password=***)",
    );
    expect(found).toEqual(['p1', 'p2', 't3', 't4', 'p5']);
  });

  it('does not take a masked value for a secret twice', () => {
    const found: string[] = [];
    expect(scrubEmbeddedSecrets('password=***', isSecret, found)).toBe('password=***');
    expect(found).toEqual([]);
  });

  it('returns the very text when it has neither = nor @', () => {
    const text = 'plain message: secret password here';
    expect(scrubEmbeddedSecrets(text, () => true)).toBe(text);
  });

  it('keeps non-secret pairs', () => {
    expect(scrubEmbeddedSecrets('user=a&ssl=true', isSecret)).toBe('user=a&ssl=true');
  });

  it('stays linear on a long hostile text', () => {
    const text = '//a:'.repeat(50_000) + 'password='.repeat(50_000);
    const out = scrubEmbeddedSecrets(text, isSecret);
    expect(out.length).toBeGreaterThan(0);
    expect(out).not.toMatch(/password=password/);
  });
});

describe('scrubKnownSecrets', () => {
  it('removes each known value wherever it occurs, longest first', () => {
    expect(scrubKnownSecrets('ab abc abcd', ['ab', 'abcd'], isSecret)).toBe('*** ***c ***');
  });

  it('removes even a one-character secret, but never empty or already masked ones', () => {
    expect(scrubKnownSecrets('x marks', ['x', '', '***'], isSecret)).toBe('*** marks');
  });

  it('then removes embedded secrets it was not told about', () => {
    expect(scrubKnownSecrets('cannot connect to //u:other@h with hunter2', ['hunter2'], isSecret)).toBe(
      'cannot connect to //u:***@h with ***',
    );
  });
});
