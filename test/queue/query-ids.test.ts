import { describe, expect, it } from 'vitest';
import { newSlug, QueryIds } from '../../src/queue/query-ids.js';
import { QUERY_ID } from '../../src/trino/paths.js';

const AT = Date.UTC(2026, 11, 2, 5, 46, 39, 123);

describe('QueryIds', () => {
  it("issues Trino's format: UTC second, a five-digit counter, the process's five base-32 letters", () => {
    const id = new QueryIds().next(AT);
    expect(id).toMatch(/^20261202_054639_00000_[a-km-np-z2-9]{5}$/);
    expect(QUERY_ID.test(id)).toBe(true);
  });

  it('counts within a second and restarts the counter at the next', () => {
    const ids = new QueryIds();
    const [a, b, c] = [ids.next(AT), ids.next(AT + 500), ids.next(AT + 1000)];
    expect(a.slice(0, 21)).toBe('20261202_054639_00000');
    expect(b.slice(0, 21)).toBe('20261202_054639_00001');
    expect(c.slice(0, 21)).toBe('20261202_054640_00000');
    // One process, one instance part.
    expect(new Set([a, b, c].map((x) => x.slice(22))).size).toBe(1);
  });

  it('wraps the counter at 100000 within one second', () => {
    const ids = new QueryIds();
    let last = '';
    for (let i = 0; i <= 100_000; i++) last = ids.next(AT);
    expect(last.slice(16, 21)).toBe('00000');
  });

  it('gives two processes (instances) different ids for the same second', () => {
    const seen = new Set(Array.from({ length: 20 }, () => new QueryIds().next(AT).slice(22)));
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('newSlug', () => {
  it('is y and 128 random bits in hex, a new one each time', () => {
    const a = newSlug();
    expect(a).toMatch(/^y[0-9a-f]{32}$/);
    expect(newSlug()).not.toBe(a);
  });
});
