import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import type { Backend } from '../../src/backends/backend.js';
import { BackendRegistry } from '../../src/backends/registry.js';
import { CatalogApplier } from '../../src/catalogs/catalog-applier.js';
import { CatalogReconciler } from '../../src/catalogs/catalog-reconciler.js';
import { CatalogRepo } from '../../src/catalogs/catalog-repo.js';
import { generateSealKey, parseSealKey, SecretSealer, secretKeyMatcher } from '../../src/catalogs/secrets.js';
import { openDatabase } from '../../src/db/open.js';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';
import { catalogPort } from '../../src/store/sqlite/sqlite-store.js';

const PROPS = { 'connection-url': 'jdbc:postgresql://db/x', 'connection-password': 's3cret' };
const isSecret = secretKeyMatcher(['password']);

/** A reconciler over real SQLite and Trino emulators at their defaults, its log lines kept as JSON. */
async function setup(clusters: TrinoEmulator[]) {
  const opened = openDatabase(':memory:');
  const backends = new BackendRepo(opened.db);
  for (const g of ['adhoc', 'etl']) backends.seedGroup({ name: g, policy: 'least-loaded' });
  for (const t of clusters)
    backends.seedBackend({
      name: t.name,
      url: t.url,
      group: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
  const registry = sqliteRegistry(backends, 4);
  for (const b of registry.all()) b.health = 'HEALTHY';
  registry.on('added', (b) => (b.health = 'HEALTHY'));
  const lines: Array<{ level: number; msg: string; [k: string]: unknown }> = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const repo = new CatalogRepo(opened.db);
  const sealer = await SecretSealer.fromKey(parseSealKey(generateSealKey()));
  const applier = new CatalogApplier({
    repo: catalogPort(repo),
    registry,
    isSecret,
    timeoutMs: 5000,
    logger,
    metrics: new Metrics(),
  });
  const reconciler = new CatalogReconciler(
    { repo: catalogPort(repo), registry, sealer, reconcileUser: 'switchyard', logger },
    applier,
  );
  /** present stores a spec (secrets sealed, as the service stores them) with no deployment rows. */
  const present = async (name: string, props: Record<string, string> = PROPS, group = 'adhoc') =>
    repo.saveSpec(
      {
        group,
        name,
        connector: 'postgresql',
        properties: await sealer.sealProperties(props, isSecret),
        desired: 'present',
      },
      [],
      'pending',
    );
  const row = (name: string, backend: string, group = 'adhoc') =>
    repo.deployments(group, name).find((d) => d.backend === backend);
  const b = (name: string) => registry.get(name)!;
  return { opened, registry, repo, sealer, applier, reconciler, present, row, b, lines };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** waitFor polls until cond holds, with a generous deadline for a loaded machine. */
async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * reconcileUntil reconciles b round after round until cond holds: after a coordinator restart the first
 * round may meet a pooled connection the old process closed (`connection reset`), as the periodic rounds do.
 */
async function reconcileUntil(s: Setup, name: string, cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  for (;;) {
    await s.reconciler.reconcile(s.b(name));
    if (cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const statements = (t: TrinoEmulator) =>
  t.requests.filter((r) => r.method === 'POST' && r.url === '/v1/statement').length;

describe('CatalogReconciler.reconcile', () => {
  let t1: TrinoEmulator;
  let t2: TrinoEmulator;
  let s: Setup;
  beforeAll(async () => {
    [t1, t2] = await Promise.all([TrinoEmulator.start({ name: 't1' }), TrinoEmulator.start({ name: 't2' })]);
  });
  afterAll(async () => {
    await Promise.all([t1?.stop(), t2?.stop()]);
  });
  beforeEach(async () => {
    await Promise.all([t1.restart(), t2.restart()]); // in-memory catalogs gone
    t1.clearRequests();
    t2.clearRequests();
    s = await setup([t1, t2]);
  });
  afterEach(async () => {
    await s.reconciler.stop();
    s.registry.close();
  });

  it('does not contact a backend whose group has no catalog specs', async () => {
    await s.reconciler.reconcileAll();
    expect(t1.requests).toEqual([]);
    expect(t2.requests).toEqual([]);
  });

  it('creates a missing catalog with its unsealed properties and records it applied', async () => {
    const spec = await s.present('sales');
    await s.reconciler.reconcile(s.b('t1'));
    expect(t1.catalogProperties('sales')).toEqual(PROPS);
    expect(s.row('sales', 't1')).toMatchObject({ state: 'applied', specVersion: spec.version, error: null });
    expect(t2.requests).toEqual([]); // only the backend asked for
    expect(s.lines.find((l) => l.msg === 'catalog reconciled')).toMatchObject({
      backend: 't1',
      catalog: 'sales',
      state: 'applied',
    });
  });

  it('leaves a catalog that is listed, applied and at the spec version alone: one SHOW CATALOGS only', async () => {
    await s.present('sales');
    await s.reconciler.reconcile(s.b('t1'));
    const before = statements(t1);
    await s.reconciler.reconcile(s.b('t1'));
    expect(statements(t1) - before).toBe(1);
    expect(t1.catalogs()).toContain('sales');
  });

  it('creates again a catalog the cluster lost (restart of an in-memory store)', async () => {
    await s.present('sales');
    await s.reconciler.reconcile(s.b('t1'));
    await t1.restart();
    expect(t1.catalogs()).not.toContain('sales');
    await reconcileUntil(s, 't1', () => t1.catalogs().includes('sales'), 'sales created again');
    expect(t1.catalogProperties('sales')).toEqual(PROPS);
  });

  it('replaces a catalog whose spec has a newer version', async () => {
    await s.present('sales');
    await s.reconciler.reconcile(s.b('t1'));
    const v2 = await s.present('sales', { ...PROPS, 'connection-user': 'bob' });
    await s.reconciler.reconcile(s.b('t1'));
    expect(t1.catalogProperties('sales')).toEqual({ ...PROPS, 'connection-user': 'bob' });
    expect(s.row('sales', 't1')).toMatchObject({ state: 'applied', specVersion: v2.version });
  });

  it('drops a deleted catalog, forgets its row and purges the spec once no backend has it', async () => {
    await s.present('sales');
    await s.reconciler.reconcileAll();
    expect([t1.catalogs(), t2.catalogs()].every((c) => c.includes('sales'))).toBe(true);
    s.repo.saveSpec(
      { group: 'adhoc', name: 'sales', connector: 'postgresql', properties: {}, desired: 'absent' },
      [],
      'dropping',
    );
    await s.reconciler.reconcile(s.b('t1'));
    expect(t1.catalogs()).not.toContain('sales');
    expect(s.row('sales', 't1')).toBeUndefined();
    expect(s.repo.spec('adhoc', 'sales')?.desired).toBe('absent'); // t2 still has it
    await t2.restart(); // t2 lost it meanwhile: its row goes without a DROP
    t2.clearRequests();
    await reconcileUntil(s, 't2', () => s.row('sales', 't2') === undefined, 'the row of t2 gone');
    expect(s.repo.spec('adhoc', 'sales')).toBeUndefined();
  });

  it('never touches catalogs no spec names (static ones)', async () => {
    await s.present('sales');
    await s.reconciler.reconcile(s.b('t1'));
    expect(t1.catalogs()).toEqual(['sales', 'system', 'tpch']);
  });

  it('skips a deactivated or unhealthy backend', async () => {
    await s.present('sales');
    await s.registry.setActive('t1', false);
    s.b('t2').health = 'UNHEALTHY';
    await s.reconciler.reconcileAll();
    expect([t1.requests, t2.requests]).toEqual([[], []]);
    expect(s.repo.deployments()).toEqual([]);
  });

  it('records failed, once in the log, a spec whose secrets cannot be unsealed', async () => {
    const other = await SecretSealer.fromKey(parseSealKey(generateSealKey()));
    s.repo.saveSpec(
      {
        group: 'adhoc',
        name: 'sales',
        connector: 'postgresql',
        properties: await other.sealProperties(PROPS, isSecret),
        desired: 'present',
      },
      [],
      'pending',
    );
    await s.reconciler.reconcile(s.b('t1'));
    await s.reconciler.reconcile(s.b('t1'));
    expect(s.row('sales', 't1')).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(
        /cannot be unsealed \(was catalogs\.sealKey changed\?\); replace the catalog/,
      ),
    });
    expect(t1.catalogs()).not.toContain('sales');
    const errors = s.lines.filter((l) => l.level === 50 && l.catalog === 'sales');
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(s.lines)).not.toContain('s3cret');
  });

  it('logs a cluster that keeps refusing a catalog at info once, then at debug', async () => {
    await s.present('bad', { 'connection-url': 'x' });
    s.repo.saveSpec(
      { group: 'adhoc', name: 'bad', connector: 'no-such-connector', properties: {}, desired: 'present' },
      [],
      'pending',
    );
    await s.reconciler.reconcile(s.b('t1'));
    await s.reconciler.reconcile(s.b('t1'));
    const lines = s.lines.filter((l) => l.msg === 'catalog reconciled' && l.catalog === 'bad');
    expect(lines.map((l) => [l.level, l.state])).toEqual([
      [30, 'failed'],
      [20, 'failed'],
    ]);
    expect(s.row('bad', 't1')?.error).toMatch(/no-such-connector/);
  });

  it('records nothing when the backend cannot list its catalogs', async () => {
    await s.present('sales');
    await t1.setMode('refuse');
    try {
      await s.reconciler.reconcile(s.b('t1'));
    } finally {
      await t1.setMode('ok');
    }
    expect(s.row('sales', 't1')).toBeUndefined();
    expect(s.lines.find((l) => l.msg === 'catalog reconcile: cannot list catalogs')).toMatchObject({
      backend: 't1',
    });
  });

  it('queues one reconcile per backend at a time: a second call while one waits is dropped', async () => {
    await s.present('sales');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = s.applier.onBackend('t1', () => gate);
    const first = s.reconciler.reconcile(s.b('t1'));
    const second = s.reconciler.reconcile(s.b('t1'));
    release();
    await Promise.all([held, first, second]);
    expect(statements(t1)).toBe(2); // one SHOW CATALOGS, one CREATE CATALOG
  });

  it('does nothing once stopped', async () => {
    await s.present('sales');
    await s.reconciler.stop();
    await s.reconciler.reconcileAll();
    expect(t1.requests).toEqual([]);
  });

  it('never rejects a round, even when the database cannot be read', async () => {
    await s.present('sales');
    s.opened.sqlite.prepare("UPDATE catalog_specs SET properties = '{not json'").run();
    await expect(s.reconciler.reconcileAll()).resolves.toBeUndefined();
    expect(s.lines.filter((l) => l.msg === 'catalog reconcile failed').map((l) => l.backend)).toEqual([
      't1',
      't2',
    ]);
    expect(t1.requests).toEqual([]);
  });
});

describe('CatalogReconciler.start', () => {
  let t1: TrinoEmulator;
  let t2: TrinoEmulator;
  let s: Setup;
  beforeAll(async () => {
    [t1, t2] = await Promise.all([TrinoEmulator.start({ name: 't1' }), TrinoEmulator.start({ name: 't2' })]);
    s = await setup([t1, t2]);
  });
  afterAll(async () => {
    await s?.reconciler.stop();
    s?.registry.close();
    await Promise.all([t1?.stop(), t2?.stop()]);
  });

  it('reconciles every backend at start, and again each interval', async () => {
    await s.present('sales');
    let onHealthy: ((b: Backend) => void) | undefined;
    s.reconciler.start(100, { onHealthy: (fn) => (onHealthy = fn) });
    await waitFor(() => t1.catalogs().includes('sales') && t2.catalogs().includes('sales'), 'first round');
    await t1.restart();
    await waitFor(() => t1.catalogs().includes('sales'), 'a later round');
    expect(onHealthy).toBeTypeOf('function');
  });

  it('forgets the rows of a removed backend', async () => {
    await waitFor(() => s.row('sales', 't2')?.state === 'applied', 't2 applied');
    await s.registry.remove('t2');
    await waitFor(() => s.repo.deployments().every((d) => d.backend !== 't2'), "t2's rows forgotten");
  });

  it("drops a moved backend's catalogs of its old group, and gives it its new group's", async () => {
    await s.present('etl-only', PROPS, 'etl');
    await waitFor(() => s.row('sales', 't1')?.state === 'applied', 't1 applied');
    const r = s.b('t1').record();
    await s.registry.update({ ...r, group: 'etl' });
    // The cluster changes before the gateway records it: wait for both.
    await waitFor(
      () =>
        !t1.catalogs().includes('sales') &&
        t1.catalogs().includes('etl-only') &&
        s.row('sales', 't1') === undefined &&
        s.row('etl-only', 't1', 'etl')?.state === 'applied',
      'old catalog dropped, new one created, both recorded',
    );
  });
});
