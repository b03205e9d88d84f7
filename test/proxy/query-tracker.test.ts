import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import { QueryTracker, type TrackerPeers } from '../../src/proxy/query-tracker.js';
import { Metrics } from '../../src/observability/metrics.js';
import type { HistoryRecorder } from '../../src/history/recorder.js';
import { storedSql } from '../../src/history/stored-sql.js';
import { DEFAULT_SECRET_PATTERNS, secretKeyMatcher } from '../../src/catalogs/secrets.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';

function setup(peers?: TrackerPeers) {
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
  const registry = sqliteRegistry(repo, 4);
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
    peers,
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

describe('QueryTracker: what history keeps of a statement and its error', () => {
  function withSecrets() {
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
    const submitted: Array<Record<string, unknown>> = [];
    const completed: Array<Record<string, unknown>> = [];
    const recorder = {
      submitted: (r: Record<string, unknown>) => submitted.push(r),
      completed: (c: Record<string, unknown>) => completed.push(c),
    };
    const isSecret = secretKeyMatcher(DEFAULT_SECRET_PATTERNS);
    const tracker = new QueryTracker(
      sqliteRegistry(repo, 4),
      recorder as unknown as HistoryRecorder,
      new Metrics(),
      {
        abandonAfterMs: 300_000,
        unpolledAbandonMs: 60_000,
        lostGraceMs: 10_000,
        maxInFlightPerUser: 3,
        maxUnpolledPerUser: 2,
        storeSql: (sql) => storedSql(sql, 200, isSecret),
        isSecretKey: isSecret,
      },
    );
    return { tracker, submitted, completed };
  }

  it("scrubs the statement's secrets out of the cluster's error text", () => {
    const { tracker, submitted, completed } = withSecrets();
    const sql = `EXPLAIN CREATE CATALOG pg USING postgresql WITH ("connection-password" = 'hunter2-x')`;
    tracker.started({ queryId: 'q1', backend: 't1', group: 'adhoc', user: 'u', sql }, 0);
    tracker.finished(
      'q1',
      { state: 'FAILED', errorName: 'X', errorMessage: "bad value 'hunter2-x' for connection-password" },
      10,
    );
    expect(JSON.stringify(submitted)).not.toContain('hunter2-x');
    expect(completed[0].errorMessage).toBe("bad value '***' for connection-password");
  });

  it('keeps a bounded prefix, the whole length and a hash of a long statement', () => {
    const { tracker, submitted } = withSecrets();
    const sql = `SELECT '${'é'.repeat(1000)}'`;
    tracker.started({ queryId: 'q2', backend: 't1', group: 'adhoc', user: 'u', sql }, 0);
    const row = submitted[0] as { sql: string; sqlBytes: number; sqlSha256: string };
    expect(Buffer.byteLength(row.sql)).toBeLessThanOrEqual(200);
    expect(sql.startsWith(row.sql)).toBe(true);
    expect(row.sqlBytes).toBe(Buffer.byteLength(sql));
    expect(row.sqlSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('withholds the error text when the statement names a catalog past the kept prefix', () => {
    const { tracker, completed } = withSecrets();
    const sql = `SELECT 1 /* ${'x'.repeat(300)} */; CREATE CATALOG c USING memory WITH ("password" = 'tail-secret')`;
    tracker.started({ queryId: 'q3', backend: 't1', group: 'adhoc', user: 'u', sql }, 0);
    tracker.finished('q3', { state: 'FAILED', errorMessage: 'echo tail-secret' }, 10);
    expect(completed[0].errorMessage).not.toContain('tail-secret');
  });

  it('counts a user against its budgets until its queries are polled and end', () => {
    const { tracker } = withSecrets();
    for (const id of ['a', 'b'])
      tracker.started({ queryId: id, backend: 't1', group: 'adhoc', user: 'u', sql: 'SELECT 1' }, 0);
    expect(tracker.admit('u')?.errorName).toBe('QUERY_QUEUE_FULL');
    expect(tracker.admit('v')).toBeUndefined();
    tracker.seen('a', 1);
    tracker.seen('b', 1);
    tracker.started({ queryId: 'c', backend: 't1', group: 'adhoc', user: 'u', sql: 'SELECT 1' }, 2);
    expect(tracker.admit('u')?.message).toMatch(/3 queries running/);
    tracker.finished('a', { state: 'FINISHED' }, 3);
    expect(tracker.admit('u')).toBeUndefined();
    tracker.sweep(70_000); // c was never polled
    expect(tracker.usage('u')).toEqual({ inFlight: 1, unpolled: 0 });
  });
});

describe('QueryTracker: a query other worker processes see', () => {
  it('is not taken for unpolled when another worker serves its polls', () => {
    const { tracker, completed } = setup();
    tracker.seenElsewhere('q1', 30_000);
    tracker.sweep(70_000);
    expect(completed).toEqual([]);
    tracker.sweep(400_000);
    expect(completed.map((c) => c.state)).toEqual(['ABANDONED']);
  });

  it('drops a query another worker saw end, recording the completion it sent and never abandoning it', () => {
    const { tracker, completed, b } = setup();
    expect(b.inFlight).toBe(1);
    tracker.endedElsewhere('q1', { queryId: 'q1', state: 'FINISHED', finishedAt: 5, errorName: null });
    expect(b.inFlight).toBe(0);
    expect(completed.map((c) => c.state)).toEqual(['FINISHED']);
    tracker.sweep(10_000_000);
    tracker.adopt('q1', 't1', 'u');
    expect(b.inFlight).toBe(0);
    expect(completed).toHaveLength(1);
  });

  it('tells its peers of polls of queries it does not follow and of every end', () => {
    const told: string[] = [];
    const { tracker } = setup({
      seen: (id) => told.push(`seen ${id}`),
      ended: (id, c) => told.push(`ended ${id}${c ? ` ${c.state}` : ''}`),
    });
    tracker.seen('q1');
    tracker.seen('elsewhere');
    tracker.finished('q1', { state: 'FINISHED' });
    tracker.finished('elsewhere', { state: 'FAILED' });
    expect(told).toEqual(['seen elsewhere', 'ended q1', 'ended elsewhere FAILED']);
  });
});
