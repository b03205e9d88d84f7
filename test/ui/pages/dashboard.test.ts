import { describe, expect, it } from 'vitest';
import { LoadSamples } from '../../../src/ui/load-samples.js';
import { signedIn, seedHistory } from '../../helpers/console-fixture.js';

describe('dashboard', () => {
  it('shows every group with its backends, health, activity and load, and a server-drawn chart', async () => {
    const { registry, history, html } = await signedIn();
    seedHistory(history);
    registry.get('trino-2')!.health = 'UNHEALTHY';
    registry.get('trino-3')!.stats = {
      runningQueries: 4,
      queuedQueries: 9,
      blockedQueries: 0,
      updatedAt: Date.now(),
    };
    const page = await html('/console');
    expect(page).toMatch(
      /data-group="adhoc"[\s\S]*trino-1[\s\S]*trino-2[\s\S]*data-group="etl"[\s\S]*trino-3/,
    );
    expect(page).toMatch(/trino-2<\/b><\/a> <span class="badge bad"[^>]*>unhealthy/);
    expect(page).toContain('4 running · 9 queued');
    expect(page).toContain('<b>2 / 3</b><span>backends healthy</span>');
    expect(page).toMatch(/<svg class="chart"[^>]*role="img"/);
    expect(page).toContain('<b>7</b><span>queries in the last hour</span>');
  });

  it('draws queries per backend, per group and by final state, and p50/p95, over one hour by default', async () => {
    const { history, html } = await signedIn();
    seedHistory(history);
    const page = await html('/console');
    expect(page).toContain('over the last hour');
    const chart = (id: string) =>
      page.slice(page.indexOf(`id="${id}"`), page.indexOf('</section>', page.indexOf(`id="${id}"`)));
    const titles = (id: string) =>
      [...chart(id).matchAll(/<title>[^<]*· ([^<]*)<\/title>/g)].map((m) => m[1]);
    // One bar per query-minute: four on trino-1, three on trino-3.
    expect(titles('by-backend').sort()).toEqual(
      [...Array(4).fill('trino-1: 1'), ...Array(3).fill('trino-3: 1')].sort(),
    );
    expect(titles('by-group').filter((t) => t.startsWith('etl'))).toHaveLength(3);
    expect(titles('by-state')).toContain('FAILED: 1');
    expect(chart('by-state')).toContain('fill="#b42318"');
    expect(chart('latency')).toMatch(/<path d="M[^"]+L[^"]+"[^>]*stroke="#b86e00"/);
    expect(chart('latency')).toContain('7 completed queries');
  });

  it('shows queued and running per cluster as bars', async () => {
    const { registry, html } = await signedIn();
    registry.get('trino-3')!.stats = {
      runningQueries: 4,
      queuedQueries: 12,
      blockedQueries: 0,
      updatedAt: Date.now(),
    };
    const page = await html('/console');
    expect(page).toMatch(
      /data-load="trino-3"[\s\S]*?width:25\.0%[\s\S]*?width:75\.0%[\s\S]*?4 running · 12 queued/,
    );
    expect(page).toMatch(/data-load="trino-1"[\s\S]*?no stats yet/);
  });

  it('draws running and queued per cluster over the last hour from the samples', async () => {
    const now = Date.now();
    let at = now - 30 * 60_000;
    const samples = new LoadSamples({ now: () => at });
    const { registry, html } = await signedIn({ loadSamples: samples, now: () => now });
    const etl = registry.get('trino-3')!;
    for (const [running, queued] of [
      [1, 0],
      [4, 2],
      [2, 8],
    ]) {
      etl.stats = { runningQueries: running, queuedQueries: queued, blockedQueries: 0, updatedAt: at };
      samples.record(registry.all());
      at += 60_000;
    }
    const page = await html('/console');
    const running = page.slice(page.indexOf('data-chart="running per cluster"'));
    expect(running).toMatch(/peak 4 running/);
    // trino-3 reported three times: one line of three points; trino-1 never did: no line.
    expect(running).toMatch(/<path d="M50\.00 \d+\.\d+ L51\.67 [\d.]+ L53\.33 [\d.]+"/);
    expect(running).toMatch(/trino-3<span class="muted"> now 2</);
    const queued = page.slice(page.indexOf('data-chart="queued per cluster"'));
    expect(queued).toMatch(/peak 8 queued/);
    expect(queued).toMatch(/trino-1<span class="muted"> now –</);
  });

  it('accepts only the offered chart windows', async () => {
    const { html } = await signedIn();
    expect(await html('/console?hours=24')).toContain('over the last 24 hours');
    expect(await html('/console?hours=99999')).toContain('over the last hour');
  });
});
