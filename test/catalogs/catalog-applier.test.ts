import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import type { BackendRegistry } from '../../src/backends/registry.js';
import { CatalogApplier, type CatalogQuery } from '../../src/catalogs/catalog-applier.js';
import { CatalogRepo } from '../../src/catalogs/catalog-repo.js';
import { secretKeyMatcher } from '../../src/catalogs/secrets.js';
import { openDatabase } from '../../src/db/open.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { catalogPort } from '../../src/store/sqlite/sqlite-store.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';

const SECRET = "it's s3cret";
const PROPS = { 'connection-url': 'jdbc:postgresql://db/x', 'connection-password': SECRET };

describe('CatalogApplier against clusters at Trino defaults', () => {
  let sql: TrinoEmulator;
  let rest: TrinoEmulator;
  let gone: TrinoEmulator;
  let registry: BackendRegistry;
  let repo: CatalogRepo;
  let applier: CatalogApplier;
  const queries: CatalogQuery[] = [];

  beforeAll(async () => {
    sql = await TrinoEmulator.start({ name: 'sql', catalogStore: 'memory' });
    rest = await TrinoEmulator.start({ name: 'rest', catalogRest: true });
    gone = await TrinoEmulator.start({ name: 'gone' });
    await gone.stop();
    const db = openDatabase(':memory:').db;
    const backends = new BackendRepo(db);
    backends.seedGroup({ name: 'adhoc', policy: 'least-loaded' });
    const seed = (name: string, url: string, catalogDriver: 'sql' | 'rest' = 'sql') =>
      backends.seedBackend({ name, url, group: 'adhoc', active: true, weight: 1, catalogDriver });
    seed('sql', sql.url);
    seed('rest', rest.url, 'rest');
    seed('gone', gone.url);
    registry = sqliteRegistry(backends, 4);
    repo = new CatalogRepo(db);
    applier = new CatalogApplier({
      repo: catalogPort(repo),
      registry,
      isSecret: secretKeyMatcher(['password']),
      timeoutMs: 2000,
      logger: silentLogger(),
      metrics: new Metrics(),
      onQuery: (q) => queries.push(q),
    });
  });
  afterAll(async () => {
    registry?.close();
    await Promise.all([sql?.stop(), rest?.stop()]);
  });

  const spec = (name: string) =>
    repo.saveSpec(
      { group: 'adhoc', name, connector: 'postgresql', properties: {}, desired: 'present' },
      [],
      'pending',
    );
  const row = (catalog: string, backend: string) =>
    repo.deployments('adhoc', catalog).find((d) => d.backend === backend);

  it('creates with SQL, records it applied and reports the statement for history', async () => {
    const s = spec('sales');
    expect(await applier.createOn(registry.get('sql')!, s, PROPS, 'ops', false)).toEqual({
      backend: 'sql',
      state: 'applied',
    });
    expect(sql.catalogProperties('sales')).toEqual(PROPS);
    expect(row('sales', 'sql')).toMatchObject({ state: 'applied', specVersion: s.version, error: null });
    expect(queries.at(-1)).toMatchObject({
      user: 'ops',
      group: 'adhoc',
      backend: 'sql',
      sql: expect.stringContaining('CREATE CATALOG'),
      outcome: { ok: true },
    });
  });

  it('creates through the REST endpoints on a backend whose driver is rest', async () => {
    expect(await applier.createOn(registry.get('rest')!, spec('sales'), PROPS, 'ops', false)).toEqual({
      backend: 'rest',
      state: 'applied',
    });
    expect(rest.requests.some((r) => r.url === '/v1/catalog/add')).toBe(true);
  });

  it('records a failure Trino gave as failed, and drops first when asked to replace', async () => {
    const s = spec('sales');
    const again = await applier.createOn(registry.get('sql')!, s, PROPS, 'ops', false);
    expect(again).toEqual({
      backend: 'sql',
      state: 'failed',
      error: "line 1:1: Catalog 'sales' already exists",
    });
    expect(row('sales', 'sql')).toMatchObject({ state: 'failed' });
    expect(await applier.createOn(registry.get('sql')!, s, { ...PROPS, x: '1' }, 'ops', true)).toMatchObject({
      state: 'applied',
    });
    expect(sql.catalogProperties('sales')).toEqual({ ...PROPS, x: '1' });
  });

  it('leaves a backend it cannot reach pending, for reconcile', async () => {
    const r = await applier.createOn(registry.get('gone')!, spec('sales'), PROPS, 'ops', false);
    expect(r).toMatchObject({
      backend: 'gone',
      state: 'pending',
      error: expect.stringContaining('connection refused'),
    });
    expect(row('sales', 'gone')).toMatchObject({ state: 'pending' });
  });

  it('drops, deleting the row, or keeps it dropping when the backend cannot be reached', async () => {
    const s = spec('sales');
    expect(await applier.dropOn(registry.get('sql')!, s, 'ops')).toEqual({
      backend: 'sql',
      state: 'dropped',
    });
    expect([sql.catalogs().includes('sales'), row('sales', 'sql')]).toEqual([false, undefined]);
    expect(await applier.dropOn(registry.get('gone')!, s, 'ops')).toMatchObject({ state: 'dropping' });
    expect(row('sales', 'gone')).toMatchObject({ state: 'dropping' });
  });

  it('defers to reconcile with the reason, deactivated or not healthy', async () => {
    const b = registry.get('sql')!;
    expect(await applier.deferred(b, spec('later'), 'pending')).toMatchObject({
      error: 'backend is UNKNOWN; applied when healthy',
    });
    await registry.setActive('sql', false);
    try {
      expect(await applier.deferred(registry.get('sql')!, spec('later'), 'pending')).toMatchObject({
        error: 'backend is deactivated; applied when activated',
      });
    } finally {
      await registry.setActive('sql', true);
    }
  });

  it('writes no row for a backend removed from the registry meanwhile', async () => {
    const b = registry.get('gone')!;
    await registry.remove('gone');
    await applier.record(b, spec('ghost'), 'applied', null);
    expect(row('ghost', 'gone')).toBeUndefined();
  });

  it('scrubs secret values, as sent and as echoed, from a backend error', () => {
    const m = `failed near '${SECRET.replace(/'/g, "''")}' and "${JSON.stringify(SECRET).slice(1, -1)}" and ${SECRET}`;
    expect(applier.scrub(m, PROPS)).toBe(`failed near '***' and "***" and ***`);
  });

  it('runs the work of one backend one task at a time, in order', async () => {
    const order: string[] = [];
    const task = (name: string, ms: number) => () =>
      new Promise<void>((r) => setTimeout(() => (order.push(name), r()), ms));
    await Promise.all([applier.onBackend('x', task('first', 30)), applier.onBackend('x', task('second', 1))]);
    expect(order).toEqual(['first', 'second']);
    await applier.idle();
  });
});
