import { describe, expect, it } from 'vitest';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import type { Backend } from '../../src/backends/backend.js';
import { CatalogRepo } from '../../src/catalogs/catalog-repo.js';
import { CatalogService, NATIVE_FIELDS } from '../../src/catalogs/catalog-service.js';
import type { ApplyOutcome, CatalogDriver } from '../../src/catalogs/drivers.js';
import { generateSealKey, parseSealKey, SecretSealer, secretKeyMatcher } from '../../src/catalogs/secrets.js';
import { openDatabase } from '../../src/db/open.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { catalogPort } from '../../src/store/sqlite/sqlite-store.js';
import { sqliteRegistry } from '../helpers/sqlite-registry.js';

/**
 * The catalog service against fake drivers whose answers the test releases one by one, to pin the
 * interleavings an end-to-end test cannot: a backend removed or moved while its statement runs, and two
 * concurrent creates of one name.
 */
async function setup() {
  const db = openDatabase(':memory:').db;
  const backends = new BackendRepo(db);
  for (const g of ['adhoc', 'etl']) backends.seedGroup({ name: g, policy: 'least-loaded' });
  for (const n of ['t1', 't2'])
    backends.seedBackend({
      name: n,
      url: `http://${n}:8080`,
      group: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
  const registry = sqliteRegistry(backends, 4);
  for (const b of registry.all()) b.health = 'HEALTHY';
  registry.on('added', (b) => (b.health = 'HEALTHY'));
  const gates: Array<() => void> = [];
  const calls: string[] = [];
  const catalogsOn = new Map<string, Set<string>>();
  const held = <T = ApplyOutcome>(
    b: Backend,
    what: string,
    apply: () => T | void,
    answer = { ok: true } as T,
  ): Promise<T> =>
    new Promise((resolve) => {
      calls.push(`${b.name} ${what}`);
      gates.push(() => resolve(apply() ?? answer));
    });
  /** When set, SHOW CATALOGS waits for its gate too, to hold a reconcile round at its start. */
  const lists = { held: false };
  const driverFor = (b: Backend): CatalogDriver => {
    const on = catalogsOn.get(b.name) ?? catalogsOn.set(b.name, new Set()).get(b.name)!;
    const list = () => ({ ok: true as const, names: [...on] });
    return {
      list: async () => (lists.held ? held(b, 'list', list) : list()),
      // As Trino: CREATE CATALOG of a name the cluster has fails (CATALOG_ALREADY_EXISTS).
      create: (name) =>
        held(b, `create ${name}`, (): ApplyOutcome | void => {
          if (on.has(name)) return { ok: false, message: `Catalog '${name}' already exists` };
          on.add(name);
        }),
      drop: (name) => held<ApplyOutcome>(b, `drop ${name}`, () => void on.delete(name)),
    };
  };
  const repo = new CatalogRepo(db);
  const service = new CatalogService({
    repo: catalogPort(repo),
    registry,
    sealer: await SecretSealer.fromKey(parseSealKey(generateSealKey())),
    isSecret: secretKeyMatcher(['password']),
    timeoutMs: 1000,
    reconcileUser: 'switchyard',
    logger: silentLogger(),
    metrics: new Metrics(),
    driverFor,
  });
  const releaseAll = async () => {
    for (let i = 0; i < 50 && gates.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
    while (gates.length) gates.shift()!();
  };
  return { registry, repo, service, gates, calls, catalogsOn, releaseAll, lists };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('CatalogService interleavings', () => {
  it('a backend removed while its CREATE runs gets no deployment row back, and a delete completes', async () => {
    const { registry, repo, service, gates, releaseAll } = await setup();
    service.start(3_600_000, {});
    const creating = service.create('adhoc', { name: 'sales', connector: 'memory', properties: {} }, 'ops');
    await tick();
    expect(gates.length).toBe(2);
    await registry.remove('t2');
    gates.shift()!();
    gates.shift()!();
    await creating;
    expect(repo.deployments('adhoc', 'sales').map((d) => d.backend)).toEqual(['t1']);
    const deleting = service.delete('adhoc', 'sales', 'ops');
    await releaseAll();
    const r = await deleting;
    expect(r.catalog.status).toBe('dropping'); // the view of the spec as it was stored…
    expect(repo.spec('adhoc', 'sales')).toBeUndefined(); // …and it is gone: nothing left to drop anywhere
    await service.stop();
  });

  it('a backend moved to another group drops the catalogs of the group it left', async () => {
    const { registry, repo, service, calls, catalogsOn, releaseAll } = await setup();
    service.start(3_600_000, {});
    const creating = service.create(
      'adhoc',
      { name: 'sales', connector: 'memory', properties: { password: 'pw' } },
      'ops',
    );
    await releaseAll();
    await creating;
    expect(catalogsOn.get('t2')?.has('sales')).toBe(true);
    await registry.update({ ...registry.get('t2')!.record(), group: 'etl' });
    await releaseAll();
    await tick();
    await releaseAll();
    await service.stop();
    expect(calls).toContain('t2 drop sales');
    expect(catalogsOn.get('t2')?.has('sales')).toBe(false);
    expect(repo.deployments('adhoc', 'sales').map((d) => d.backend)).toEqual(['t1']);
  });

  it('a reconcile round that reaches a new catalog before the API task does leaves it applied, created once', async () => {
    const { repo, service, gates, calls, catalogsOn, releaseAll, lists } = await setup();
    const first = service.create('adhoc', { name: 'sales', connector: 'memory', properties: {} }, 'ops');
    await releaseAll();
    await first;
    // A round starts on both backends and waits in SHOW CATALOGS; the API change is queued behind it.
    lists.held = true;
    const round = service.reconcileAll();
    await tick();
    expect(calls.filter((c) => c.endsWith(' list'))).toHaveLength(2);
    const creating = service.create('adhoc', { name: 'pg', connector: 'memory', properties: {} }, 'ops');
    lists.held = false;
    await releaseAll(); // the lists: the round now sees pg pending and creates it
    await releaseAll(); // the round's CREATE pg on each backend
    await round;
    const r = await creating; // the API's task, after the round: nothing left to do
    expect(gates).toHaveLength(0);
    expect(r.applied).toBe('all');
    expect(r.outcomes.map((o) => o.state)).toEqual(['applied', 'applied']);
    expect(calls.filter((c) => c.endsWith('create pg')).sort()).toEqual(['t1 create pg', 't2 create pg']);
    expect(repo.deployments('adhoc', 'pg').map((d) => d.state)).toEqual(['applied', 'applied']);
    // A delete then drops it from both: neither row was left "failed" (which would skip the holder).
    const deleting = service.delete('adhoc', 'pg', 'ops');
    await releaseAll();
    await deleting;
    for (const n of ['t1', 't2']) expect(catalogsOn.get(n)?.has('pg')).toBe(false);
  });

  it('two concurrent creates of one name: one 201, one 409, one CREATE per backend', async () => {
    const { service, calls, releaseAll } = await setup();
    const a = service.create('adhoc', { name: 'sales', connector: 'memory', properties: {} }, 'ops');
    const b = service.create('adhoc', { name: 'sales', connector: 'memory', properties: {} }, 'ops');
    await releaseAll();
    const results = await Promise.allSettled([a, b]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.status).toBe(409);
    expect(calls.filter((c) => c.endsWith('create sales'))).toHaveLength(2);
  });
});

describe('CatalogService input', () => {
  it.each([
    ['the seed API', undefined, 'catalogName', 'connectorName'],
    ['the native API', NATIVE_FIELDS, 'name', 'connector'],
  ])(
    'refuses a bad name or connector with a 400 naming the field as %s spells it',
    async (_api, fields, n, k) => {
      const { service, calls } = await setup();
      const create = (name: unknown, connector: unknown) =>
        service.create('adhoc', { name, connector, properties: {} }, 'ops', fields);
      await expect(create('a;b', 'memory')).rejects.toMatchObject({
        status: 400,
        message: expect.stringMatching(new RegExp(`^${n}: "a;b"`)),
      });
      await expect(create('sales', 'no such')).rejects.toMatchObject({
        status: 400,
        message: expect.stringMatching(new RegExp(`^${k}: `)),
      });
      await expect(service.delete('adhoc', 42, 'ops', fields)).rejects.toMatchObject({
        status: 400,
        message: expect.stringMatching(new RegExp(`^${n}: number`)),
      });
      expect(calls).toEqual([]); // nothing was sent anywhere
    },
  );

  it('validates before it looks the group up, and lower-cases names as Trino does', async () => {
    const { service, repo, releaseAll } = await setup();
    await expect(
      service.create('nowhere', { name: 'a b', connector: 'memory', properties: {} }, 'ops'),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      service.create('nowhere', { name: 'ok', connector: 'memory', properties: {} }, 'ops'),
    ).rejects.toMatchObject({ status: 404, message: 'group "nowhere" not found' });
    const creating = service.create(
      'adhoc',
      { name: 'Sales', connector: 'Memory', properties: { a: 'b' } },
      'ops',
    );
    await releaseAll();
    await creating;
    expect(repo.spec('adhoc', 'sales')?.connector).toBe('memory');
  });

  it('refuses properties that are not an object of non-empty strings, naming the key', async () => {
    const { service } = await setup();
    await expect(
      service.create('adhoc', { name: 's', connector: 'memory', properties: { url: '' } }, 'ops'),
    ).rejects.toMatchObject({ status: 400, message: 'properties.url: expected a non-empty string' });
    await expect(service.replace('adhoc', { name: 's', properties: [] }, 'ops')).rejects.toMatchObject({
      status: 400,
      message: 'properties: expected an object of string values',
    });
  });
});
