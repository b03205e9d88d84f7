import { describe, expect, it } from 'vitest';
import { TokenExchange } from '../../src/auth/oidc-exchange.js';

const SECRET = 'a-test-secret-of-enough-length';

describe('TokenExchange', () => {
  const clock = { t: 1_000_000 };
  const ex = () => new TokenExchange(SECRET, 60_000, 0, () => clock.t);

  it('answers pending, then the token once, then gone', async () => {
    const x = ex();
    const { tokenId, initiateId, key } = x.issue();
    expect(x.verifyInitiate(initiateId)).toEqual(key);
    expect(await x.poll(tokenId)).toEqual({ kind: 'pending' });
    x.complete(key, 'the-token');
    expect(x.open(key)).toBe(false);
    expect(await x.poll(tokenId)).toEqual({ kind: 'token', token: 'the-token' });
    expect(await x.poll(tokenId)).toEqual({ kind: 'gone' });
    // A second sign-in on the same link (another tab) cannot deliver a second token.
    x.complete(key, 'another-token');
    expect(await x.poll(tokenId)).toEqual({ kind: 'gone' });
  });

  it('wakes a waiting poll as soon as the sign-in completes', async () => {
    const x = new TokenExchange(SECRET, 60_000, 60_000);
    const { tokenId, key } = x.issue();
    const waiting = x.poll(tokenId);
    x.complete(key, 'the-token');
    expect(await waiting).toEqual({ kind: 'token', token: 'the-token' });
  });

  it('keeps an error for retried polls, and times a sign-in out as Trino does', async () => {
    const x = ex();
    const a = x.issue();
    x.fail(a.key, 'refused');
    expect(await x.poll(a.tokenId)).toEqual({ kind: 'error', error: 'refused' });
    expect(await x.poll(a.tokenId)).toEqual({ kind: 'error', error: 'refused' });
    const b = x.issue();
    clock.t += 61_000;
    expect(await x.poll(b.tokenId)).toEqual({ kind: 'error', error: 'Authentication has timed out' });
    expect(x.open(b.key)).toBe(false);
  });

  it('tells ids it never issued apart: forged, tampered, from another secret, the wrong kind', async () => {
    const x = ex();
    const { tokenId, initiateId } = x.issue();
    const other = new TokenExchange('another-secret-entirely', 60_000).issue();
    for (const id of [
      '',
      'x',
      tokenId.slice(0, -1) + (tokenId.endsWith('a') ? 'b' : 'a'),
      other.tokenId,
      initiateId,
    ])
      expect(await x.poll(id)).toEqual({ kind: 'unknown' });
    expect(x.verifyInitiate(tokenId)).toBeUndefined();
    expect(x.drop('forged')).toBe(false);
  });

  it('stores nothing for a challenge that is never completed', () => {
    const x = ex();
    for (let i = 0; i < 1000; i++) x.issue();
    expect((x as unknown as { results: Map<string, unknown> }).results.size).toBe(0);
  });
});
