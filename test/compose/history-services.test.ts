import { afterEach, describe, expect, it } from 'vitest';
import { buildTestServices, releaseServices } from '../helpers/built-services.js';

afterEach(releaseServices);

describe('buildHistory', () => {
  it('takes secret property names from catalogs.secretPatterns', async () => {
    const { s } = await buildTestServices([], { catalogs: { secretPatterns: ['pin'] } });
    expect(s.isSecretProperty('atm-PIN')).toBe(true);
    expect(s.isSecretProperty('connection-password')).toBe(false);
  });

  it('keeps a bounded, redacted prefix of SQL, at history.maxSqlBytes', async () => {
    const { s } = await buildTestServices([], { history: { maxSqlBytes: 1024 } });
    const sql = `CREATE CATALOG c USING memory WITH ("password" = 'hunter2') -- ${'x'.repeat(2000)}`;
    const stored = s.storeSql(sql);
    expect(Buffer.byteLength(stored.sql)).toBeLessThanOrEqual(1024);
    expect(stored.sql).not.toContain('hunter2');
    expect(stored.sqlBytes).toBe(Buffer.byteLength(sql));
    expect(s.redactSql(sql)).toBe(stored.sql);
  });

  it('records into the store the history API reads', async () => {
    const { s } = await buildTestServices([]);
    await s.recorder.submitted({
      queryId: 'q1',
      user: 'alice',
      routingGroup: 'adhoc',
      backend: 't1',
      sql: 'SELECT 1',
      submittedAt: 1000,
      state: 'RUNNING',
    });
    await s.recorder.flush();
    expect(await s.store.history.get('q1')).toMatchObject({ user: 'alice', state: 'RUNNING' });
    expect(await s.history.get('q1')).toMatchObject({ user: 'alice' });
  });
});

describe('buildRetention', () => {
  it('purges history after history.retentionDays and affinity after two days', async () => {
    const { s } = await buildTestServices([], { history: { retentionDays: 3 } });
    const day = 86_400_000;
    const now = Date.now();
    for (const [id, age] of [
      ['fresh', 2 * day],
      ['old', 4 * day],
    ] as const)
      await s.recorder.submitted({
        queryId: id,
        user: 'alice',
        routingGroup: 'adhoc',
        backend: 't1',
        sql: 'SELECT 1',
        submittedAt: now - age,
        state: 'FINISHED',
      });
    await s.recorder.flush();
    await s.store.affinity.putQuery('q-recent', 't1', now - day);
    await s.store.affinity.putQuery('q-stale', 't1', now - 3 * day);
    await s.retention.runOnce();
    expect(await s.store.history.get('fresh')).toBeDefined();
    expect(await s.store.history.get('old')).toBeUndefined();
    expect(await s.store.affinity.getQuery('q-recent')).toBe('t1');
    expect(await s.store.affinity.getQuery('q-stale')).toBeUndefined();
  });
});
