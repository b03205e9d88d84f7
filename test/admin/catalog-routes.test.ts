import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, waitFor } from '../helpers/admin-world.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

/**
 * /api/v1/catalogs and the seed-compatible /v1/catalog/add and /v1/catalog/delete: the status says how far
 * a change got (201/200 everywhere, 207 somewhere, 202 nowhere yet), and bad input is a 400 naming the field.
 */
describe('catalog routes', () => {
  let t1: TrinoEmulator;
  let t2: TrinoEmulator;
  let gone: TrinoEmulator;
  let gw: TestGateway;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(gw.url + path, {
      method,
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    [t1, t2, gone] = await Promise.all(['t1', 't2', 'gone'].map((name) => TrinoEmulator.start({ name })));
    await gone!.stop();
    gw = await startGateway(
      testConfig(
        [
          { name: 't1', url: t1!.url },
          { name: 't2', url: t2!.url, group: 'etl' },
          { name: 'gone-etl', url: gone!.url, group: 'etl' },
          { name: 'gone-dead', url: gone!.url, group: 'dead' },
        ],
        {
          auth: await passwordAuth(['ops', 'ops-password', ['admin']]),
          health: { intervalSeconds: 0.2, timeoutSeconds: 2, healthyThreshold: 1, unhealthyThreshold: 1 },
          catalogs: { statementTimeoutSeconds: 5 },
        },
      ),
    );
    const health = (n: string) => gw.services.registry.get(n)!.health;
    await waitFor(
      async () =>
        health('t1') === 'HEALTHY' &&
        health('t2') === 'HEALTHY' &&
        health('gone-etl') === 'UNHEALTHY' &&
        health('gone-dead') === 'UNHEALTHY',
      20_000,
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([t1?.stop(), t2?.stop()]);
  });

  it('creates in the default group with 201 when every backend applied it', async () => {
    const r = await call('POST', '/api/v1/catalogs', { name: 'Sales', connector: 'memory' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ applied: 'all', catalog: { group: 'adhoc', name: 'sales', version: 1 } });
    expect(t1.catalogs()).toContain('sales');
  });

  it('answers 207 when some backends of the group applied it, 202 when none could yet', async () => {
    const partial = await call('POST', '/api/v1/catalogs', {
      group: 'etl',
      name: 'mem',
      connector: 'memory',
    });
    expect(partial.status).toBe(207);
    expect(partial.json.applied).toBe('partial');
    const none = await call('POST', '/api/v1/catalogs', { group: 'dead', name: 'mem', connector: 'memory' });
    expect(none.status).toBe(202);
    expect(none.json.applied).toBe('none');
  });

  it('reads one catalog by its name in any case, and lists by group', async () => {
    const one = await call('GET', '/api/v1/catalogs/adhoc/SALES');
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ group: 'adhoc', name: 'sales', connector: 'memory' });
    const etl = await call('GET', '/api/v1/catalogs?group=etl');
    expect(etl.json.map((c: { group: string; name: string }) => `${c.group}/${c.name}`)).toEqual(['etl/mem']);
    const all = await call('GET', '/api/v1/catalogs');
    expect(all.json.length).toBeGreaterThanOrEqual(3);
    const missing = await call('GET', '/api/v1/catalogs/adhoc/nope');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toMatch(/nope/);
  });

  it('replaces with 200 and a new version, and deletes with 200', async () => {
    const r = await call('PUT', '/api/v1/catalogs/adhoc/sales', {
      properties: { 'memory.max-data-per-node': '64MB' },
    });
    expect(r.status).toBe(200);
    expect(r.json.catalog).toMatchObject({ version: 2, properties: { 'memory.max-data-per-node': '64MB' } });
    expect(t1.catalogProperties('sales')).toEqual({ 'memory.max-data-per-node': '64MB' });
    const d = await call('DELETE', '/api/v1/catalogs/adhoc/sales');
    expect(d.status).toBe(200);
    expect(t1.catalogs()).not.toContain('sales');
  });

  it('refuses bad input with 400 naming the field, storing nothing', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/api/v1/catalogs', { connector: 'memory' }, /name/],
      ['POST', '/api/v1/catalogs', { name: 'x', connector: 'memory', colour: 'red' }, /colour/],
      ['POST', '/api/v1/catalogs', { name: 'x', connector: 'memory', properties: { a: 1 } }, /properties/],
      ['POST', '/api/v1/catalogs', '{not json', /not valid JSON/],
      ['PUT', '/api/v1/catalogs/adhoc/x', { connector: 'memory', properties: {}, name: 'y' }, /name/],
      ['POST', '/v1/catalog/add', { connectorName: 'memory' }, /^catalogName: /],
    ];
    for (const [method, path, body, re] of cases) {
      const r = await call(method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json.message).toMatch(re);
    }
    expect((await call('GET', '/api/v1/catalogs/adhoc/x')).status).toBe(404);
    const noGroup = await call('POST', '/api/v1/catalogs', { name: 'x', connector: 'memory', group: 'nope' });
    expect(noGroup.status).toBe(404);
    expect(noGroup.json.message).toMatch(/"nope"/);
  });

  it('takes the seed-compatible add and delete, in the default group or the one asked for', async () => {
    const add = await call('POST', '/v1/catalog/add', { catalogName: 'seeded', connectorName: 'memory' });
    expect(add.status).toBe(201);
    expect(add.json.catalog).toMatchObject({ group: 'adhoc', name: 'seeded' });
    const etl = await call('POST', '/v1/catalog/add?group=etl', {
      catalogName: 'seeded',
      connectorName: 'memory',
      extra: 'ignored', // seed's body may carry more
    });
    expect(etl.json.catalog.group).toBe('etl');
    const del = await call('DELETE', '/v1/catalog/delete?catalogName=seeded');
    expect(del.status).toBe(200);
    expect(t1.catalogs()).not.toContain('seeded');
    expect((await call('GET', '/api/v1/catalogs/etl/seeded')).status).toBe(200);
    const noName = await call('DELETE', '/v1/catalog/delete');
    expect(noName.status).toBe(400);
  });

  it('reconciles on demand and answers the list', async () => {
    await t1.restart(); // its in-memory catalogs are gone
    await call('POST', '/api/v1/catalogs', { name: 'again', connector: 'memory' });
    await t1.restart();
    expect(t1.catalogs()).not.toContain('again');
    let r = await call('POST', '/api/v1/catalogs/reconcile');
    // The first round after a restart may meet a pooled connection the old process closed; rounds retry.
    await waitFor(async () => {
      if (t1.catalogs().includes('again')) return true;
      r = await call('POST', '/api/v1/catalogs/reconcile');
      return t1.catalogs().includes('again');
    }, 20_000);
    expect(r.status).toBe(200);
    expect(r.json.some((c: { name: string }) => c.name === 'again')).toBe(true);
  });
});
