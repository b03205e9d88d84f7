import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BackendRecord } from '../../src/backends/backend-repo.js';
import type { NewHistoryRow } from '../../src/history/history-repo.js';
import type { Store } from '../../src/store/ports.js';
import { postgresFixture, sqliteFixture } from './store-fixture.js';

const backend = (name: string, over: Partial<BackendRecord> = {}): BackendRecord => ({
  name,
  url: `http://${name}:8080`,
  group: 'adhoc',
  active: true,
  weight: 1,
  catalogDriver: 'sql',
  processForwarded: false,
  advertisedUrls: [],
  ...over,
});

const row = (queryId: string, over: Partial<NewHistoryRow> = {}): NewHistoryRow => ({
  queryId,
  user: 'alice',
  routingGroup: 'adhoc',
  backend: 'b1',
  sql: 'SELECT 1',
  submittedAt: 1_000,
  state: 'RUNNING',
  ...over,
});

describe.each([sqliteFixture(), postgresFixture()])('the $name store', (fx) => {
  let s: Store;
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());
  beforeEach(async () => {
    s = await fx.open();
  });
  afterEach(() => fx.reset());

  describe('backends and groups', () => {
    it('keeps every field of a backend as written', async () => {
      const b = backend('b1', {
        externalUrl: 'https://b1.example',
        active: false,
        weight: 3,
        catalogDriver: 'rest',
        processForwarded: true,
        forwardAuthorization: 'never',
        advertisedUrls: ['https://lb.example'],
      });
      await s.backends.upsertBackend(b);
      expect(await s.backends.listBackends()).toEqual([b]);
    });

    it('seeds a name once, and never again after it was deleted; an upsert revives it', async () => {
      expect(await s.backends.seedBackend(backend('b1'))).toBe(true);
      expect(await s.backends.seedBackend(backend('b1', { url: 'http://other:1' }))).toBe(false);
      expect(await s.backends.deleteBackend('b1')).toBe(true);
      expect(await s.backends.deleteBackend('b1')).toBe(false);
      expect(await s.backends.seedBackend(backend('b1'))).toBe(false);
      expect(await s.backends.listBackends()).toEqual([]);
      await s.backends.upsertBackend(backend('b1', { weight: 2 }));
      expect((await s.backends.listBackends()).map((b) => [b.name, b.weight])).toEqual([['b1', 2]]);
    });

    it('does the same for routing groups', async () => {
      expect(await s.backends.seedGroup({ name: 'etl', policy: 'round-robin' })).toBe(true);
      expect(await s.backends.seedGroup({ name: 'etl', policy: 'least-loaded' })).toBe(false);
      await s.backends.upsertGroup({ name: 'etl', policy: 'weighted', fallback: 'adhoc' });
      expect(await s.backends.listGroups()).toEqual([{ name: 'etl', policy: 'weighted', fallback: 'adhoc' }]);
      expect(await s.backends.deleteGroup('etl')).toBe(true);
      expect(await s.backends.listGroups()).toEqual([]);
      expect(await s.backends.seedGroup({ name: 'etl', policy: 'round-robin' })).toBe(false);
    });
  });

  describe('users', () => {
    it('upserts, lists and deletes', async () => {
      const u = {
        name: 'bob',
        passwordHash: 'scrypt$x',
        groups: ['adhoc'],
        roles: ['user'],
        impersonate: [],
      };
      await s.users.upsert(u);
      await s.users.upsert({ ...u, roles: ['admin'], defaultGroup: 'adhoc', impersonate: ['carol'] });
      expect(await s.users.list()).toEqual([
        { ...u, roles: ['admin'], defaultGroup: 'adhoc', impersonate: ['carol'] },
      ]);
      expect(await s.users.delete('bob')).toBe(true);
      expect(await s.users.delete('bob')).toBe(false);
    });
  });

  describe('catalogs', () => {
    const spec = { group: 'adhoc', name: 'pg', connector: 'postgresql', desired: 'present' as const };

    it('versions a spec and sets each listed backend’s deployment in one save', async () => {
      const v1 = await s.catalogs.saveSpec({ ...spec, properties: { a: '1' } }, ['b1', 'b2'], 'pending', 10);
      const v2 = await s.catalogs.saveSpec({ ...spec, properties: { a: '2' } }, ['b1'], 'pending', 20);
      expect([v1.version, v2.version, v2.createdAt, v2.updatedAt]).toEqual([1, 2, 10, 20]);
      expect(await s.catalogs.spec('adhoc', 'pg')).toEqual(v2);
      expect(v2.properties).toEqual({ a: '2' });
      const deps = await s.catalogs.deployments('adhoc', 'pg');
      expect(deps.map((d) => [d.backend, d.specVersion]).sort()).toEqual([
        ['b1', 2],
        ['b2', 1],
      ]);
      await s.catalogs.setDeployment({ ...deps[0]!, state: 'failed', error: 'boom' });
      expect((await s.catalogs.deployments()).find((d) => d.backend === deps[0]!.backend)?.error).toBe(
        'boom',
      );
      expect(await s.catalogs.specs('etl')).toEqual([]);
    });

    it('purges an absent spec only once no backend still has it', async () => {
      await s.catalogs.saveSpec({ ...spec, properties: {} }, ['b1'], 'applied');
      expect(await s.catalogs.purgeIfDropped('adhoc', 'pg')).toBe(false);
      await s.catalogs.saveSpec({ ...spec, desired: 'absent', properties: {} }, ['b1'], 'dropping');
      expect(await s.catalogs.purgeIfDropped('adhoc', 'pg')).toBe(false);
      await s.catalogs.deleteDeployment('adhoc', 'pg', 'b1');
      expect(await s.catalogs.purgeIfDropped('adhoc', 'pg')).toBe(true);
      expect(await s.catalogs.specs()).toEqual([]);
    });

    it('forgets a backend’s rows except in the group it stays in', async () => {
      await s.catalogs.saveSpec({ ...spec, properties: {} }, ['b1'], 'applied');
      await s.catalogs.saveSpec({ ...spec, group: 'etl', properties: {} }, ['b1', 'b2'], 'applied');
      await s.catalogs.forgetBackend('b1', 'etl');
      const left = (await s.catalogs.deployments()).map((d) => `${d.group}/${d.backend}`).sort();
      expect(left).toEqual(['etl/b1', 'etl/b2']);
    });
  });

  describe('history', () => {
    it('writes a batch of inserts and completions; a row already there is kept', async () => {
      await s.history.insertMany([row('q1')]);
      await s.history.writeBatch(
        [row('q1', { user: 'mallory' }), row('q2', { submittedAt: 2_000 })],
        [{ queryId: 'q1', state: 'FINISHED', finishedAt: 1_500, elapsedMs: 500, rows: 2 ** 40 }],
      );
      const q1 = await s.history.get('q1');
      expect(q1).toMatchObject({ user: 'alice', state: 'FINISHED', finishedAt: 1_500, rows: 2 ** 40 });
      expect(await s.history.get('nope')).toBeUndefined();
      expect((await s.history.running(10_000)).map((r) => r.queryId)).toEqual(['q2']);
    });

    it('writes all of a batch or none of it', async () => {
      const bad = { ...row('q2'), user: null } as unknown as NewHistoryRow;
      await expect(s.history.writeBatch([row('q1'), bad], [])).rejects.toThrow();
      expect(await s.history.get('q1')).toBeUndefined();
    });

    it('filters, searches text case-insensitively and literally, and pages newest first', async () => {
      await s.history.writeBatch(
        [
          row('q1', { submittedAt: 1_000, sql: 'SELECT 100% FROM t' }),
          row('q2', { submittedAt: 2_000, user: 'bob', sql: 'select * from T' }),
          row('q3', { submittedAt: 2_000, sql: 'SELECT 1000 FROM t' }),
        ],
        [],
      );
      const ids = async (f: Parameters<Store['history']['list']>[0]) =>
        (await s.history.list(f)).map((r) => r.queryId);
      expect(await ids({ limit: 10 })).toEqual(['q3', 'q2', 'q1']);
      expect(await ids({ limit: 10, user: 'alice' })).toEqual(['q3', 'q1']);
      expect(await ids({ limit: 10, text: '100%' })).toEqual(['q1']);
      expect(await ids({ limit: 10, text: 'from t' })).toEqual(['q3', 'q2', 'q1']);
      expect(await ids({ limit: 10, before: { submittedAt: 2_000, queryId: 'q3' } })).toEqual(['q2', 'q1']);
      expect(await ids({ limit: 10, from: 1_500, to: 2_000 })).toEqual(['q3', 'q2']);
    });

    it('counts per minute, finds legacy SQL, rewrites it and purges old rows', async () => {
      await s.history.writeBatch(
        [
          row('q1', { submittedAt: 60_000, sql: 'CREATE CATALOG x USING y' }),
          row('q2', { submittedAt: 61_000, sql: 'x'.repeat(50), sqlBytes: 50 }),
          row('q3', { submittedAt: 130_000, sql: 'é'.repeat(30) }),
        ],
        [],
      );
      expect(await s.history.countsPerMinute(0)).toEqual([
        { minute: 60_000, count: 2 },
        { minute: 120_000, count: 1 },
      ]);
      expect((await s.history.legacySql('', 40, 10)).map((r) => r.queryId)).toEqual(['q1', 'q3']);
      await s.history.rewriteSql('q1', { sql: '[redacted]', sqlBytes: 24, sqlSha256: null });
      expect((await s.history.legacySql('', 40, 10)).map((r) => r.queryId)).toEqual(['q3']);
      expect(await s.history.purgeBefore(100_000)).toBe(2);
      expect((await s.history.list({ limit: 10 })).map((r) => r.queryId)).toEqual(['q3']);
    });

    it('aggregates counts and nearest-rank latencies per bucket', async () => {
      await s.history.writeBatch(
        [100, 300, 200].map((e, i) =>
          row(`q${i}`, { submittedAt: 60_000 + i, state: 'FINISHED', elapsedMs: e, backend: `b${i % 2}` }),
        ),
        [],
      );
      expect(await s.historyStats.countsBy('backend', 0, 60_000)).toEqual([
        { bucket: 60_000, key: 'b0', count: 2 },
        { bucket: 60_000, key: 'b1', count: 1 },
      ]);
      expect(await s.historyStats.latency(0, 60_000)).toEqual([{ bucket: 60_000, p50: 200, p95: 300, n: 3 }]);
    });
  });

  describe('affinity', () => {
    it('keeps the first owner of a query and of a transaction, and purges by age', async () => {
      await s.affinity.putQuery('q1', 'b1', 1_000);
      await s.affinity.putQuery('q1', 'b2', 1_000);
      await s.affinity.putTransaction('t1', 'b2', 5_000);
      expect(await s.affinity.getQuery('q1')).toBe('b1');
      expect(await s.affinity.getTransaction('t1')).toBe('b2');
      expect(await s.affinity.getQuery('q2')).toBeUndefined();
      expect(await s.affinity.purgeBefore(2_000)).toBe(1);
      expect(await s.affinity.getQuery('q1')).toBeUndefined();
      await s.affinity.deleteTransaction('t1');
      expect(await s.affinity.getTransaction('t1')).toBeUndefined();
    });
  });

  describe('settings', () => {
    it('sets values and keeps one secret per key, whoever asks first', async () => {
      await s.settings.set('k', 'v1');
      await s.settings.set('k', 'v2');
      expect(await s.settings.get('k')).toBe('v2');
      const other = await fx.open();
      const [a, b] = await Promise.all([
        s.settings.getOrCreateSecret('sec'),
        other.settings.getOrCreateSecret('sec'),
      ]);
      expect(a).toBe(b);
      expect(a).toMatch(/^[\w-]{43}$/);
      expect(await s.settings.getOrCreateSecret('sec')).toBe(a);
    });
  });

  describe('rule versions', () => {
    const v = (yaml: string) => ({ yaml, author: 'admin', summary: 'x', createdAt: 1 });

    it('adds a version only on top of the newest; two saves from one base: one wins', async () => {
      expect(await s.ruleVersions.add(0, v('a'))).toMatchObject({ version: 1 });
      expect(await s.ruleVersions.add(0, v('b'))).toBeUndefined();
      const other = await fx.open();
      const both = await Promise.all([s.ruleVersions.add(1, v('c')), other.ruleVersions.add(1, v('d'))]);
      expect(both.filter(Boolean)).toHaveLength(1);
      expect((await s.ruleVersions.latest())?.version).toBe(2);
      expect((await s.ruleVersions.get(1))?.yaml).toBe('a');
      expect((await s.ruleVersions.list(10)).map((r) => r.version)).toEqual([2, 1]);
    });
  });

  describe('login failures', () => {
    const W = 60_000;
    const B = 300_000;
    const keys = [
      { key: 'p:10.0.0.1\nana', max: 2 },
      { key: 'u:ana', max: 3 },
    ];

    it('counts failures per key and blocks a key at its max, until the block ends', async () => {
      await s.loginFailures.fail(keys, W, B, 1_000);
      expect(await s.loginFailures.blockedUntil(['p:10.0.0.1\nana', 'u:ana'], 1_000)).toEqual(new Map());
      await s.loginFailures.fail(keys, W, B, 2_000);
      expect(await s.loginFailures.blockedUntil(['p:10.0.0.1\nana', 'u:ana', 'a:x'], 2_000)).toEqual(
        new Map([['p:10.0.0.1\nana', 2_000 + B]]),
      );
      expect((await s.loginFailures.blockedUntil(['p:10.0.0.1\nana'], 2_000 + B)).size).toBe(0);
    });

    it('starts a counter over once its window passed, counts concurrent failures from two replicas, and clears a key', async () => {
      await s.loginFailures.fail(keys, W, B, 1_000);
      await s.loginFailures.fail(keys, W, B, 1_000 + W + 1); // the first one's window is over
      expect((await s.loginFailures.blockedUntil(['p:10.0.0.1\nana'], 1_000 + W + 1)).size).toBe(0);
      const other = await fx.open(); // a second replica on the same database
      const at = 2_000 + W;
      await Promise.all([s.loginFailures.fail(keys, W, B, at), other.loginFailures.fail(keys, W, B, at)]);
      expect(await s.loginFailures.blockedUntil(['p:10.0.0.1\nana', 'u:ana'], at)).toEqual(
        new Map([
          ['p:10.0.0.1\nana', at + B],
          ['u:ana', at + B],
        ]),
      );
      await s.loginFailures.clear('p:10.0.0.1\nana');
      expect([...(await other.loginFailures.blockedUntil(['p:10.0.0.1\nana', 'u:ana'], at)).keys()]).toEqual([
        'u:ana',
      ]);
      expect(await s.loginFailures.purgeBefore(at + B + 1)).toBe(1);
    });
  });
});
