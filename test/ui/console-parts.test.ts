import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { seriesOf, timeline } from '../../src/ui/charts.js';
import { LoadSamples } from '../../src/ui/load-samples.js';
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

describe('chart timelines and series', () => {
  const now = Date.parse('2025-01-01T12:00:30Z');
  const at = (hhmm: string) => Date.parse(`2025-01-01T${hhmm}:00Z`);

  it.each([
    [1, 60_000, '11:01'],
    [3, 180_000, '09:03'],
    [24, 1_440_000, '12:00'],
  ])('%i hours → 60 buckets of %i ms, the last holding the current minute', (hours, ms, first) => {
    const t = timeline(now, hours);
    expect(t).toMatchObject({ n: 60, bucketMs: ms });
    expect(t.start + 59 * t.bucketMs).toBeLessThanOrEqual(now);
    expect(t.start + 60 * t.bucketMs).toBeGreaterThan(now);
    if (hours < 24) expect(t.start).toBe(at(first));
  });

  it('spreads counts per key over the buckets, largest series first, zero where nothing ran', () => {
    const t = timeline(now, 1);
    const s = seriesOf(
      [
        { bucket: at('11:01'), key: 'b', count: 1 },
        { bucket: at('12:00'), key: 'a', count: 5 },
        { bucket: at('09:00'), key: 'c', count: 9 },
      ],
      t,
      { b: '#000' },
    );
    expect(s.map((x) => x.name)).toEqual(['a', 'b']);
    expect(s[0].values[59]).toBe(5);
    expect(s[1]).toMatchObject({ color: '#000' });
    expect(s[1].values[0]).toBe(1);
    expect(s[1].values.slice(1).every((v) => v === 0)).toBe(true);
  });

  it('sums the smallest series beyond six as "other"', () => {
    const t = timeline(now, 1);
    const rows = Array.from({ length: 9 }, (_, i) => ({ bucket: at('12:00'), key: `k${i}`, count: 10 - i }));
    const s = seriesOf(rows, t);
    expect(s).toHaveLength(6);
    expect(s[5].name).toBe('other (4)');
    expect(s[5].values[59]).toBe(5 + 4 + 3 + 2);
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

describe('load samples for the live chart', () => {
  const backend = (name: string, running?: number, queued = 0) =>
    ({
      name,
      inFlight: 1,
      stats:
        running === undefined
          ? undefined
          : { runningQueries: running, queuedQueries: queued, blockedQueries: 0, updatedAt: 0 },
    }) as unknown as Backend;

  it('keeps what each cluster reported, null without stats, for keepMs only', () => {
    let now = 0;
    const s = new LoadSamples({ intervalMs: 10, keepMs: 30, now: () => now });
    for (let i = 0; i < 6; i++, now += 10) s.record([backend('a', i, 2 * i), backend('b')]);
    const a = s.all().get('a')!;
    expect(a.map((x) => x.at)).toEqual([20, 30, 40, 50]);
    expect(a[3]).toEqual({ at: 50, running: 5, queued: 10, inFlight: 1 });
    expect(
      s
        .all()
        .get('b')!
        .every((x) => x.running === null && x.queued === null),
    ).toBe(true);
  });

  it('forgets a removed backend', () => {
    const s = new LoadSamples({ now: () => 0 });
    s.record([backend('a', 1), backend('b', 1)]);
    s.record([backend('b', 1)]);
    expect([...s.all().keys()]).toEqual(['b']);
  });
});
