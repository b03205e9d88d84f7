import { describe, expect, it } from 'vitest';
import { SessionCodec } from '../../src/ui/session.js';

const SECRET = 'a-secret-of-enough-length';

describe('session cookies', () => {
  it('reads back what it issued, and nothing signed with another secret', () => {
    const codec = new SessionCodec(SECRET, 60_000);
    const { value, session } = codec.issue('root', 'hash');
    expect(codec.read(value)).toEqual(session);
    expect(new SessionCodec('another-secret-of-length', 60_000).read(value)).toBeUndefined();
  });

  it.each(['', '.', 'abc', 'abc.', '.abc', 'e30.AAAA', `${'a'.repeat(2000)}.x`])('rejects %j', (value) => {
    expect(new SessionCodec(SECRET, 60_000).read(value)).toBeUndefined();
  });

  it('ties CSRF tokens to one session', () => {
    const codec = new SessionCodec(SECRET, 60_000);
    const a = codec.issue('root', 'h').session;
    const b = codec.issue('root', 'h').session;
    expect(codec.checkCsrf(a, codec.csrfToken(a))).toBe(true);
    expect(codec.checkCsrf(a, codec.csrfToken(b))).toBe(false);
    expect(codec.checkCsrf(a, undefined)).toBe(false);
  });

  it('checks login tokens against their nonce', () => {
    const codec = new SessionCodec(SECRET, 60_000);
    const { nonce, token } = codec.loginToken();
    expect(codec.checkLogin(nonce, token)).toBe(true);
    expect(codec.checkLogin(codec.loginToken().nonce, token)).toBe(false);
    expect(codec.checkLogin(undefined, token)).toBe(false);
  });

  it('refuses a short secret', () => {
    expect(() => new SessionCodec('short', 1000)).toThrow(/at least 16/);
  });
});
