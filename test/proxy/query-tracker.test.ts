import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import { BackendRegistry } from '../../src/backends/registry.js';
import { QueryTracker } from '../../src/proxy/query-tracker.js';
import { Metrics } from '../../src/observability/metrics.js';
import type { HistoryRecorder } from '../../src/history/recorder.js';
import { storedSql } from '../../src/history/stored-sql.js';

function setup() {
  const repo = new BackendRepo(openDatabase(':memory:').db);
  repo.seedGroup({ name: 'adhoc', policy: 'least-loaded' });
  repo.seedBackend({
    name: 't1',
    url: 'http://127.0.0.1:1',
    group: 'adhoc',
    active: true,
    weight: 1,
    catalogDriver: 'sql',
  });
  const registry = new BackendRegistry(repo, 4);
  const completed: Array<{ queryId: string; state: string; errorName: string | null }> = [];
  const recorder = { submitted: () => {}, completed: (c: (typeof completed)[number]) => completed.push(c) };
  const tracker = new QueryTracker(registry, recorder as unknown as HistoryRecorder, new Metrics(), {
    abandonAfterMs: 300_000,
    unpolledAbandonMs: 60_000,
    lostGraceMs: 10_000,
    maxInFlightPerUser: 3,
    maxUnpolledPerUser: 2,
    storeSql: (sql) => storedSql(sql, 1024, () => false),
    isSecretKey: () => false,
  });
  tracker.started({ queryId: 'q1', backend: 't1', group: 'adhoc', user: 'u', sql: 'SELECT 1' }, 0);
  return { tracker, completed, b: registry.get('t1')! };
}
const LOST = { state: 'FAILED' as const, errorName: 'BACKEND_UNREACHABLE', errorType: 'EXTERNAL' };

describe('QueryTracker: queries whose cluster may have lost them', () => {
  it('ends a query FAILED when no poll is answered within the grace period', () => {
    const { tracker, completed, b } = setup();
    expect(b.inFlight).toBe(1);
    tracker.lost('q1', LOST, 1_000);
    tracker.sweep(5_000);
    expect(b.inFlight).toBe(1); // still within the grace period
    tracker.sweep(11_000);
    expect(b.inFlight).toBe(0);
    expect(completed).toMatchObject([{ queryId: 'q1', state: 'FAILED', errorName: 'BACKEND_UNREACHABLE' }]);
  });

  it("keeps a query whose owner goes on polling (a blip, or someone else's forged poll)", () => {
    const { tracker, completed, b } = setup();
    tracker.lost('q1', LOST, 1_000);
    tracker.answered('q1');
    tracker.sweep(60_000);
    expect(b.inFlight).toBe(1);
    expect(completed).toEqual([]);
  });
});
