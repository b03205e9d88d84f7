import { describe, expect, it } from 'vitest';
import { LoadLines } from '../../src/ui/load-chart.js';
import type { LoadSample } from '../../src/ui/load-samples.js';

const T0 = Date.UTC(2026, 0, 1, 10, 0);
const sample = (min: number, running: number | null, queued: number | null = 0): LoadSample => ({
  at: T0 + min * 60_000,
  running,
  queued,
  inFlight: 0,
});

/** render draws the chart as the console does (server-side JSX to HTML). */
async function render(samples: Map<string, LoadSample[]>, field: 'running' | 'queued' = 'running') {
  return String(await LoadLines({ samples, field, start: T0, end: T0 + 10 * 60_000 }).toString());
}

const paths = (html: string) => [...html.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);

describe('LoadLines', () => {
  it('draws a line per cluster scaled to the peak, with its time axis and latest counts', async () => {
    const html = await render(
      new Map([
        ['trino-1', [sample(0, 0), sample(5, 4), sample(10, 2)]],
        ['trino-2', [sample(0, 1), sample(10, 1)]],
      ]),
    );
    expect(paths(html)).toEqual(['M0.00 100.00 L50.00 4.00 L100.00 52.00', 'M0.00 76.00 L100.00 76.00']);
    expect(html).toContain('peak 4 running');
    expect(html).toContain('aria-label="running queries per cluster: trino-1 2, trino-2 1"');
    expect(html).toContain('<span>10:00</span>');
    expect(html).toContain('10:10 UTC');
  });

  it('breaks a line where the cluster reported no stats, and says so for the latest', async () => {
    const html = await render(new Map([['trino-1', [sample(0, 1), sample(5, null), sample(10, 1)]]]));
    expect(paths(html)).toEqual(['M0.00 4.00 M100.00 4.00']);
    const none = await render(new Map([['trino-1', [sample(0, 1), sample(10, null)]]]));
    expect(none).toContain('trino-1 no stats');
    expect(none).toContain('now –');
  });

  it('keeps the scale when everything is zero, and draws the queued count when asked', async () => {
    const html = await render(new Map([['trino-1', [sample(0, 3, 0), sample(10, 3, 0)]]]), 'queued');
    expect(html).toContain('peak 0 queued');
    expect(paths(html)).toEqual(['M0.00 100.00 L100.00 100.00']);
  });

  it('draws at most seven clusters, and escapes their names', async () => {
    const many = new Map(
      Array.from({ length: 9 }, (_, i) => [`c${i}`, [sample(0, i)]] as [string, LoadSample[]]),
    );
    many.set('<b>x</b>', [sample(0, 1)]);
    const html = await render(many);
    expect(paths(html)).toHaveLength(7);
    expect(html).not.toContain('c7');
    const named = await render(new Map([['<b>x</b>', [sample(0, 1)]]]));
    expect(named).not.toContain('<b>x</b>');
    expect(named).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
