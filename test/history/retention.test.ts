import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { HistoryRepo } from '../../src/history/history-repo.js';
import { Retention } from '../../src/history/retention.js';
import { silentLogger } from '../../src/observability/logger.js';
import { AffinityRepo } from '../../src/proxy/affinity-repo.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';

describe('Retention', () => {
  it('purges history older than its retention and keeps the rest', async () => {
    const opened = openDatabase(':memory:');
    const { db } = opened;
    const store = sqliteStore(opened);
    const history = new HistoryRepo(db);
    const base = { user: 'u', routingGroup: 'g', backend: 'b', sql: 'x', state: 'FINISHED' };
    history.writeBatch(
      [
        { ...base, queryId: 'old', submittedAt: 1_000 },
        { ...base, queryId: 'new', submittedAt: 9_000 },
      ],
      [],
    );
    const affinity = new AffinityRepo(db);
    affinity.putQuery('old', 'b', 1_000);
    affinity.putQuery('new', 'b', 9_000);
    await new Retention({
      targets: [
        { name: 'h', store: store.history, maxAgeMs: 5_000 },
        { name: 'a', store: store.affinity, maxAgeMs: 5_000 },
      ],
      intervalMs: 1000,
      logger: silentLogger(),
      now: () => 10_000,
    }).runOnce();
    expect(history.get('old')).toBeUndefined();
    expect(history.get('new')).toBeDefined();
    expect(affinity.getQuery('old')).toBeUndefined();
    expect(affinity.getQuery('new')).toBe('b');
  });

  it('survives a store that fails', async () => {
    const r = new Retention({
      targets: [
        {
          name: 'x',
          store: {
            purgeBefore: () => Promise.reject(new Error('locked')),
          },
          maxAgeMs: 1,
        },
      ],
      intervalMs: 1000,
      logger: silentLogger(),
    });
    await expect(r.runOnce()).resolves.toBeUndefined();
  });
});
