import { describe, expect, it } from 'vitest';
import { bucketCounts } from '../../src/ui/chart.js';
import { parseHeaderLines } from '../../src/ui/dry-run.js';
import { parseProperties } from '../../src/ui/properties-text.js';
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

describe('chart buckets', () => {
  const now = Date.parse('2025-01-01T12:00:30Z');
  const minute = (hhmm: string) => Date.parse(`2025-01-01T${hhmm}:00Z`);

  it('covers the window ending with the current minute, zero where nothing ran', () => {
    const b = bucketCounts(
      [
        { minute: minute('11:01'), count: 2 },
        { minute: minute('12:00'), count: 5 },
      ],
      now,
      1,
    );
    expect(b.counts).toHaveLength(60);
    expect(b.start).toBe(minute('11:01'));
    expect(b.counts[0]).toBe(2);
    expect(b.counts[59]).toBe(5);
    expect(b.counts.reduce((a, c) => a + c)).toBe(7);
  });

  it.each([
    [1, 60, 60_000],
    [3, 180, 60_000],
    [6, 180, 120_000],
    [24, 180, 480_000],
  ])('%i hours → %i bars of %i ms', (hours, bars, ms) => {
    const b = bucketCounts([], now, hours);
    expect(b.counts).toHaveLength(bars);
    expect(b.bucketMs).toBe(ms);
  });

  it('drops minutes outside the window', () => {
    const b = bucketCounts([{ minute: minute('09:00'), count: 9 }], now, 1);
    expect(b.counts.every((c) => c === 0)).toBe(true);
  });
});

describe('catalog properties typed as lines', () => {
  it.each([
    ['', {}],
    ['a=1', { a: '1' }],
    [' a = 1 \r\nb=x=y\n\n# comment\n', { a: '1', b: 'x=y' }],
    ['url=jdbc:postgresql://h/db?x=1', { url: 'jdbc:postgresql://h/db?x=1' }],
    ['empty=', { empty: '' }],
  ])('reads %j', (text, properties) => {
    expect(parseProperties(text)).toEqual({ ok: true, properties });
  });

  it.each([
    ['novalue', 'line 1: expected key=value'],
    ['a=1\n=2', 'line 2: the key is empty'],
    ['a=1\na=2', 'line 2: "a" is set twice'],
    ['__proto__=1\n__proto__=2', 'line 2: "__proto__" is set twice'],
  ])('refuses %j', (text, error) => {
    expect(parseProperties(text)).toEqual({ ok: false, error });
  });
});

describe('dry-run header lines', () => {
  it('reads names in lower case and joins repeats', () => {
    expect(
      parseHeaderLines('X-Trino-Source: airflow\n\nX-Trino-Client-Tags: a\nx-trino-client-tags: b'),
    ).toEqual({
      ok: true,
      headers: { 'x-trino-source': 'airflow', 'x-trino-client-tags': 'a, b' },
    });
  });

  it('names the bad line', () => {
    expect(parseHeaderLines('a: 1\nno colon here')).toEqual({
      ok: false,
      error: 'header line 2: expected "Name: value"',
    });
  });
});
