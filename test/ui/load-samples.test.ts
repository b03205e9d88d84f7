import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { LoadSamples } from '../../src/ui/load-samples.js';

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
