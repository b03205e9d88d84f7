import { Hono } from 'hono';
import type { AppEnv } from '../../src/admin/http.js';
import { appErrorHandler } from '../../src/admin/on-error.js';
import { silentLogger } from '../../src/observability/logger.js';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { HistoryRepo } from '../../src/history/history-repo.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { historyRoutes } from '../../src/history/history-routes.js';
import { storedSql } from '../../src/history/stored-sql.js';
import { DEFAULT_SECRET_PATTERNS, secretKeyMatcher } from '../../src/catalogs/secrets.js';

function setup(maxPageBytes = 1 << 20) {
  const opened = openDatabase(':memory:');
  const repo = new HistoryRepo(opened.db);
  const store = sqliteStore(opened).history;
  const rows = Array.from({ length: 7 }, (_, i) => ({
    queryId: `q_${i}`,
    user: i % 2 ? 'alice' : 'bob',
    routingGroup: i < 4 ? 'adhoc' : 'etl',
    backend: 'trino-1',
    // As the write path stores it: bounded and redacted (serving never redacts again).
    sql: storedSql(
      i === 6
        ? 'CREATE CATALOG c USING postgresql WITH ("connection-password" = \'hunter2\')'
        : `SELECT ${i}`,
      65_536,
      secretKeyMatcher(DEFAULT_SECRET_PATTERNS),
    ).sql,
    submittedAt: 1000 + i,
    state: i === 3 ? 'FAILED' : 'FINISHED',
  }));
  repo.writeBatch(rows, []);
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    const who = c.req.header('x-test-user');
    if (who)
      c.set('principal', {
        name: who,
        roles: who === 'admin' ? ['admin'] : ['user'],
        groups: ['*'],
        method: 'basic',
      });
    await next();
  });
  app.route(
    '/',
    historyRoutes({
      repo: store,
      principal: (c) => c.get('principal'),
      maxPageBytes,
      externalUrl: () => 'https://trino-1.example.com',
      backendUrl: () => 'http://10.0.0.1:8080',
    }),
  );
  app.onError(appErrorHandler(silentLogger())); // the gateway's app answers refusals so
  const get = async (qs: string, user = 'admin') => {
    const res = await app.request(`/api/v1/queries${qs}`, { headers: { 'x-test-user': user } });
    return {
      status: res.status,
      body: (await res.json()) as {
        queries: Array<{ queryId: string; sql: string; clusterUiUrl?: string }>;
        nextCursor?: string;
        message?: string;
      },
    };
  };
  return { app, get, repo };
}

describe('history API', () => {
  it('lists newest first and pages with a cursor until the end', async () => {
    const { get } = setup();
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 5; i++) {
      const r = await get(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.queries.map((q) => q.queryId));
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual(['q_6', 'q_5', 'q_4', 'q_3', 'q_2', 'q_1', 'q_0']);
  });

  it.each([
    ['?group=etl', ['q_6', 'q_5', 'q_4']],
    ['?state=failed', ['q_3']],
    ['?user=alice&group=adhoc', ['q_3', 'q_1']],
    ['?q=SELECT%205', ['q_5']],
    ['?from=1005', ['q_6', 'q_5']],
    ['?to=1001', ['q_1', 'q_0']],
  ])('filters %s', async (qs, ids) => {
    const { get } = setup();
    expect((await get(qs)).body.queries.map((q) => q.queryId)).toEqual(ids);
  });

  it('shows a non-admin only their own queries, whatever they ask for', async () => {
    const { get } = setup();
    const r = await get('?user=bob', 'alice');
    expect(r.body.queries.every((q) => ['q_1', 'q_3', 'q_5'].includes(q.queryId))).toBe(true);
    expect(r.body.queries).toHaveLength(3);
  });

  it('never returns catalog secrets and links to the cluster UI', async () => {
    const { get } = setup();
    const r = await get('?limit=1');
    expect(r.body.queries[0].sql).not.toContain('hunter2');
    expect(r.body.queries[0].clusterUiUrl).toBe('https://trino-1.example.com/ui/query.html?q_6');
  });

  it('stops a page at its byte budget and carries on from the cursor, never repeating or skipping a row', async () => {
    const { get, repo } = setup(100_000);
    const big = (i: number) => ({
      queryId: `big_${i}`,
      user: 'carol',
      routingGroup: 'adhoc',
      backend: 'trino-1',
      sql: `SELECT '${'x'.repeat(30_000)}' AS c${i}`,
      submittedAt: 5000 + i,
      state: 'FINISHED',
    });
    repo.writeBatch(
      Array.from({ length: 10 }, (_, i) => big(i)),
      [],
    );
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 20; page++) {
      const r = await get(`?user=carol&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      expect(JSON.stringify(r.body).length).toBeLessThan(100_000 + 40_000);
      seen.push(...r.body.queries.map((q) => q.queryId));
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `big_${9 - i}`));
  });

  it.each([
    ['?limit=100000', 'limit'],
    ['?limit=0', 'limit'],
    ['?limit=abc', 'limit'],
    ['?state=EXPLODED', 'state'],
    ['?from=yesterday', 'from'],
    ['?cursor=bm9wZQ', 'cursor'],
  ])('answers a bad filter %s with 400 naming %s', async (qs, field) => {
    const { get } = setup();
    const r = await get(qs);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain(field);
  });

  it("answers 401 without a principal and 404 for another user's query", async () => {
    const { app } = setup();
    expect((await app.request('/api/v1/queries')).status).toBe(401);
    expect((await app.request('/api/v1/queries/q_0', { headers: { 'x-test-user': 'alice' } })).status).toBe(
      404,
    );
    expect((await app.request('/api/v1/queries/q_1', { headers: { 'x-test-user': 'alice' } })).status).toBe(
      200,
    );
  });
});

describe("trino-gateway's history shapes", () => {
  const compat = async (path: string, user: string) => {
    const { app } = setup();
    const res = await app.request(path, { headers: { 'x-test-user': user } });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('GET /api/queryHistory answers QueryDetail rows, redacted, own rows only for non-admins', async () => {
    const admin = await compat('/api/queryHistory', 'admin');
    expect(admin.status).toBe(200);
    expect(admin.body).toHaveLength(7);
    expect(admin.body[0]).toEqual({
      queryId: 'q_6',
      queryText: 'CREATE CATALOG c USING postgresql WITH ("connection-password" = \'***\')',
      user: 'bob',
      source: null,
      backendUrl: 'http://10.0.0.1:8080',
      captureTime: 1006,
      routingGroup: 'etl',
      externalUrl: 'https://trino-1.example.com',
    });
    const alice = await compat('/api/queryHistory', 'alice');
    expect(alice.body.map((r: any) => r.user)).toEqual(['alice', 'alice', 'alice']);
    expect(alice.body[0].backendUrl).toBe('https://trino-1.example.com'); // never the internal URL
  });

  it('GET /api/queryHistoryDistribution counts queries per backend', async () => {
    expect((await compat('/api/queryHistoryDistribution', 'admin')).body).toEqual({ 'trino-1': 7 });
    expect((await compat('/api/queryHistoryDistribution', 'bob')).body).toEqual({ 'trino-1': 4 });
    expect((await compat('/api/queryHistoryDistribution', '')).status).toBe(401);
  });
});
