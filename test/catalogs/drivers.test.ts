import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restDriver, sqlDriver, type CatalogDriver } from '../../src/catalogs/drivers.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { backendClient, closeBackendClients } from '../helpers/backend-client.js';

afterAll(closeBackendClients);

const USER = 'switchyard';
const PG = { 'connection-url': 'jdbc:postgresql://db:5432/x', 'connection-password': "it's secret" };

describe('sqlDriver', () => {
  let mem: TrinoEmulator;
  let stat: TrinoEmulator;
  let d: CatalogDriver;
  beforeAll(async () => {
    mem = await TrinoEmulator.start({ name: 'mem', catalogStore: 'memory' });
    stat = await TrinoEmulator.start({ name: 'static', catalogStore: 'static' });
    d = sqlDriver({ client: backendClient(mem.url), user: USER, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await Promise.all([mem?.stop(), stat?.stop()]);
  });

  it('creates, lists and drops a catalog', async () => {
    expect(await d.list()).toEqual({ ok: true, names: ['system', 'tpch'] });
    expect(await d.create('sales', 'postgresql', PG)).toEqual({ ok: true });
    expect(mem.catalogProperties('sales')).toEqual(PG);
    expect(await d.list()).toEqual({ ok: true, names: ['sales', 'system', 'tpch'] });
    expect(await d.create('empty', 'memory', {})).toEqual({ ok: true });
    expect(await d.drop('sales')).toEqual({ ok: true });
    expect(await d.drop('empty')).toEqual({ ok: true });
    expect(mem.catalogs()).toEqual(['system', 'tpch']);
  });

  it('counts dropping a missing catalog as done', async () => {
    expect(await d.drop('never_created')).toEqual({ ok: true });
  });

  it('reports creating an existing catalog as failed with Trino message', async () => {
    await d.create('dup', 'memory', {});
    expect(await d.create('dup', 'memory', {})).toEqual({
      ok: false,
      errorName: 'CATALOG_ALREADY_EXISTS',
      message: "line 1:1: Catalog 'dup' already exists",
    });
    await d.drop('dup');
  });

  it('reports an unknown connector', async () => {
    const r = await d.create('x', 'nosuch', {});
    expect(r).toMatchObject({ ok: false, errorName: 'CONNECTOR_NOT_FOUND' });
    expect(r.ok === false && r.message).toContain("No factory for connector 'nosuch'");
  });

  it('does not drop a built-in catalog', async () => {
    expect(await d.drop('tpch')).toMatchObject({ ok: false, errorName: 'NOT_SUPPORTED' });
  });

  it('reports NOT_SUPPORTED from a static catalog store', async () => {
    const s = sqlDriver({ client: backendClient(stat.url), user: USER, timeoutMs: 5000 });
    expect(await s.create('sales', 'postgresql', PG)).toEqual({
      ok: false,
      errorName: 'NOT_SUPPORTED',
      message: 'CREATE CATALOG is not supported by the static catalog store',
    });
    expect(await s.drop('sales')).toEqual({
      ok: false,
      errorName: 'NOT_SUPPORTED',
      message: 'DROP CATALOG is not supported by the static catalog store',
    });
    expect(await s.list()).toEqual({ ok: true, names: ['system', 'tpch'] });
  });

  it('keeps hostile values inside their literal', async () => {
    const props = { 'connection-url': 'x\'), ("evil" = \'y', other: '-- not a comment /*' };
    expect(await d.create('hostile', 'memory', props)).toEqual({ ok: true });
    expect(mem.catalogProperties('hostile')).toEqual(props);
    await d.drop('hostile');
  });

  it('reports an unreachable backend as a transport failure', async () => {
    const gone = await TrinoEmulator.start({ name: 'gone' });
    await gone.stop();
    const g = sqlDriver({ client: backendClient(gone.url), user: USER, timeoutMs: 2000 });
    for (const r of [await g.list(), await g.create('a', 'memory', {}), await g.drop('a')])
      expect(r).toMatchObject({ ok: false, errorName: 'BACKEND_UNREACHABLE', transport: true });
  });
});

describe('restDriver', () => {
  let rest: TrinoEmulator;
  let plain: TrinoEmulator;
  let d: CatalogDriver;
  beforeAll(async () => {
    rest = await TrinoEmulator.start({ name: 'rest', catalogRest: true });
    plain = await TrinoEmulator.start({ name: 'plain' });
    d = restDriver({ client: backendClient(rest.url), user: USER, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await Promise.all([rest?.stop(), plain?.stop()]);
  });

  it('creates through POST /v1/catalog/add, lists with SQL and drops through DELETE', async () => {
    expect(await d.create('sales', 'postgresql', PG)).toEqual({ ok: true });
    expect(rest.catalogProperties('sales')).toEqual(PG);
    const add = rest.requests.find((r) => r.url === '/v1/catalog/add');
    expect(add?.method).toBe('POST');
    expect(add?.headers['content-type']).toBe('application/json');
    expect(await d.list()).toEqual({ ok: true, names: ['sales', 'system', 'tpch'] });
    expect(await d.drop('sales')).toEqual({ ok: true });
    expect(
      rest.requests.some((r) => r.method === 'DELETE' && r.url === '/v1/catalog/delete?catalogName=sales'),
    ).toBe(true);
    expect(rest.catalogs()).toEqual(['system', 'tpch']);
  });

  it('counts dropping a missing catalog as done', async () => {
    expect(await d.drop('never_created')).toEqual({ ok: true });
  });

  it('fails with the body text on errors', async () => {
    await d.create('dup', 'memory', {});
    const r = await d.create('dup', 'memory', {});
    expect(r).toMatchObject({ ok: false, errorName: 'CATALOG_ALREADY_EXISTS' });
    expect(r.ok === false && r.message).toContain("Catalog 'dup' already exists");
    const u = await d.create('x', 'nosuch', {});
    expect(u).toMatchObject({ ok: false, errorName: 'CONNECTOR_NOT_FOUND' });
    expect(u.ok === false && u.message).toContain("No factory for connector 'nosuch'");
    expect(await d.drop('tpch')).toMatchObject({ ok: false, errorName: 'NOT_SUPPORTED' });
  });

  it('truncates long error bodies to 500 characters', async () => {
    const r = await d.create('y', 'x'.repeat(2000), {});
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.message.length).toBe(500);
  });

  it('fails (not ok) against a cluster without the REST endpoints', async () => {
    const p = restDriver({ client: backendClient(plain.url), user: USER, timeoutMs: 5000 });
    expect(await p.create('a', 'memory', {})).toEqual({
      ok: false,
      errorName: 'HTTP_404',
      message: 'Not Found',
    });
    expect(await p.drop('a')).toEqual({ ok: false, errorName: 'HTTP_404', message: 'Not Found' });
    expect(plain.catalogs()).toEqual(['system', 'tpch']);
  });

  it('reports a hanging backend as a transport timeout', async () => {
    await rest.setMode('hang');
    try {
      const h = restDriver({ client: backendClient(rest.url), user: USER, timeoutMs: 300 });
      const t0 = Date.now();
      expect(await h.create('a', 'memory', {})).toMatchObject({
        ok: false,
        errorName: 'BACKEND_TIMEOUT',
        transport: true,
      });
      expect(Date.now() - t0).toBeLessThan(1500);
    } finally {
      await rest.setMode('ok');
    }
  });
});

describe('emulator REST endpoints', () => {
  let rest: TrinoEmulator;
  beforeAll(async () => {
    rest = await TrinoEmulator.start({ name: 'rest2', catalogRest: true });
  });
  afterAll(() => rest?.stop());

  it('validate the body and require catalogName', async () => {
    const post = (body: string) =>
      fetch(`${rest.url}/v1/catalog/add`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    expect((await post('nope')).status).toBe(400);
    expect((await post('{"catalogName":"a"}')).status).toBe(400);
    expect((await post('{"catalogName":"a","connectorName":"memory","properties":{"k":1}}')).status).toBe(
      400,
    );
    const ok = await post('{"catalogName":"MixedCase","connectorName":"memory"}');
    expect(ok.status).toBe(200);
    expect(rest.catalogs()).toContain('mixedcase');
    expect((await fetch(`${rest.url}/v1/catalog/delete`, { method: 'DELETE' })).status).toBe(400);
    const missing = await fetch(`${rest.url}/v1/catalog/delete?catalogName=zzz`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      errorName: 'CATALOG_NOT_FOUND',
      message: "Catalog 'zzz' not found",
    });
  });
});
