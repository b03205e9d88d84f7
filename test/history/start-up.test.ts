import { afterAll, describe, expect, it } from 'vitest';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import { BackendRegistry } from '../../src/backends/registry.js';
import { DEFAULT_SECRET_PATTERNS, secretKeyMatcher } from '../../src/catalogs/secrets.js';
import { openDatabase } from '../../src/db/open.js';
import { HistoryRepo } from '../../src/history/history-repo.js';
import { HistoryRecorder } from '../../src/history/recorder.js';
import { settleHistory } from '../../src/history/start-up.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';

const registries: BackendRegistry[] = [];
afterAll(() => registries.forEach((r) => r.close()));

function setup() {
  const opened = openDatabase(':memory:');
  const repo = new HistoryRepo(opened.db);
  const store = sqliteStore(opened).history;
  const backends = new BackendRepo(opened.db);
  backends.seedGroup({ name: 'adhoc', policy: 'least-loaded' });
  const registry = sqliteRegistry(backends, 4);
  registries.push(registry);
  const recorder = new HistoryRecorder(
    store,
    { flushIntervalMs: 60_000, maxQueue: 100, maxQueueBytes: 1 << 20, durableSubmissions: false },
    new Metrics(),
    silentLogger(),
  );
  const run = (
    signal = new AbortController().signal,
    repoOverride?: Parameters<typeof settleHistory>[0]['repo'],
  ) =>
    settleHistory({
      repo: repoOverride ?? store,
      recorder,
      registry,
      tracker: { adopt: () => undefined },
      bornAt: 10_000,
      maxSqlBytes: 1024,
      isSecretKey: secretKeyMatcher(DEFAULT_SECRET_PATTERNS),
      user: 'switchyard',
      timeoutMs: 1000,
      logger: silentLogger(),
      signal,
    });
  return { repo, recorder, run };
}
const row = (queryId: string, sql: string, state = 'FINISHED', submittedAt = 1000) => ({
  queryId,
  user: 'alice',
  routingGroup: 'adhoc',
  backend: 'removed-backend',
  sql,
  sqlBytes: null,
  submittedAt,
  state,
});

describe('settleHistory', () => {
  it("bounds and redacts an older release's rows and settles rows an earlier run left RUNNING", async () => {
    const s = setup();
    s.repo.writeBatch(
      [
        row('old', `EXPLAIN CREATE CATALOG c USING memory WITH ("password" = 'old-secret')`),
        row('left', 'SELECT 1', 'RUNNING'),
        row('mine', 'SELECT 2', 'RUNNING', 20_000), // this run's: left alone
      ],
      [],
    );
    await s.run();
    await s.recorder.flush();
    expect(s.repo.get('old')!.sql).not.toContain('old-secret');
    expect(s.repo.get('old')!.sqlBytes).toBeGreaterThan(0);
    expect(s.repo.get('left')).toMatchObject({
      state: 'LOST',
      errorName: 'GATEWAY_RESTARTED',
      errorMessage: 'the gateway restarted before the query ended; backend removed-backend is gone',
    });
    expect(s.repo.get('mine')!.state).toBe('RUNNING');
  });

  it('never rejects, whatever the store does', async () => {
    const s = setup();
    const broken = {
      running: () => Promise.reject(new Error('disk I/O error')),
      legacySql: () => Promise.reject(new Error('disk I/O error')),
      rewriteSql: () => Promise.reject(new Error('disk I/O error')),
    };
    await expect(s.run(undefined, broken)).resolves.toBeDefined();
  });
});
