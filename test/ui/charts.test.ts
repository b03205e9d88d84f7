import { describe, expect, it } from 'vitest';
import { seriesOf, timeline } from '../../src/ui/charts.js';

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
