import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSealKey } from '../../src/catalogs/secrets.js';
import { runTrino } from '../helpers/clients.js';
import { Client } from '../helpers/console-fixture.js';
import {
  passwordAuth,
  startGateway,
  testConfig,
  type ConfigObject,
  type TestGateway,
} from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { createTestDatabase, type TestDatabase } from './pg-test-db.js';

const ADMIN = `Basic ${Buffer.from('ops:ops-password').toString('base64')}`;

/** api calls the gateway's admin API as the admin `ops`. */
async function api(gw: TestGateway, method: string, path: string, body?: unknown) {
  const res = await fetch(gw.url + path, {
    method,
    headers: { authorization: ADMIN, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** browser is the console's form client over the gateway's real listener. */
function browser(gw: TestGateway): Client {
  const request = (path: string, init: RequestInit) => fetch(gw.url + path, { ...init, redirect: 'manual' });
  return new Client({ request } as unknown as Hono);
}

describe('a gateway on PostgreSQL (database.url)', () => {
  let db: TestDatabase;
  let t1: TrinoEmulator;
  let t2: TrinoEmulator;
  let config: ConfigObject;
  let gw: TestGateway | undefined;

  beforeAll(async () => {
    [db, t1, t2] = await Promise.all([
      createTestDatabase(),
      TrinoEmulator.start({ name: 't1' }),
      TrinoEmulator.start({ name: 't2', catalogStore: 'memory' }),
    ]);
    config = testConfig([{ name: 't1', url: t1.url }], {
      database: { url: db.url, poolSize: 4 },
      catalogs: { sealKey: generateSealKey() },
      auth: await passwordAuth(['ops', 'ops-password', ['admin']]),
      health: { intervalSeconds: 0.2, timeoutSeconds: 0.5, healthyThreshold: 1, unhealthyThreshold: 1 },
    });
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([t1?.stop(), t2?.stop()]);
    await db?.drop();
  });

  it('routes and polls queries, takes admin changes, serves history and the console, and keeps it all across a restart', async () => {
    gw = await startGateway(config);
    expect([gw.services.store.dialect, gw.services.db]).toEqual(['postgresql', undefined]);
    const first = await runTrino(gw.url, 'SELECT current_cluster()', {
      user: 'ops',
      password: 'ops-password',
    });
    expect([first.error, first.rows]).toEqual([undefined, [['t1']]]);

    // Admin changes go to PostgreSQL and steer routing at once.
    expect(
      (await api(gw, 'POST', '/api/v1/backends', { name: 't2', url: t2.url, group: 'adhoc' })).status,
    ).toBe(201);
    expect((await api(gw, 'PUT', '/api/v1/groups/etl', { policy: 'random' })).status).toBe(201);
    const user = { name: 'ana', password: 'ana-password', roles: ['user'], groups: ['adhoc'] };
    expect((await api(gw, 'POST', '/api/v1/users', user)).status).toBe(201);
    expect((await api(gw, 'POST', '/api/v1/backends/t1/deactivate')).json.active).toBe(false);
    await expect.poll(async () => (await api(gw!, 'GET', '/api/v1/backends/t2')).json.health).toBe('HEALTHY');
    const created = await api(gw, 'POST', '/api/v1/catalogs', { name: 'sales', connector: 'memory' });
    expect(created.json.outcomes).toEqual([
      { backend: 't1', state: 'pending', error: 'backend is deactivated; applied when activated' },
      { backend: 't2', state: 'applied' },
    ]);
    const second = await runTrino(gw.url, 'SELECT current_cluster()', {
      user: 'ana',
      password: 'ana-password',
    });
    expect([second.error, second.rows]).toEqual([undefined, [['t2']]]);
    expect(t2.catalogs()).toContain('sales');

    // History and the console read PostgreSQL.
    await gw.services.recorder.flush();
    const history = await api(gw, 'GET', '/api/v1/queries?limit=10');
    expect(
      history.json.queries.map((r: { queryId: string; backend: string }) => [r.queryId, r.backend]),
    ).toEqual(
      expect.arrayContaining([
        [first.queryId, 't1'],
        [second.queryId, 't2'],
      ]),
    );
    const console = browser(gw);
    expect((await console.login('ops', 'ops-password')).status).toBe(303);
    expect(await (await console.get('/console/queries')).text()).toContain(second.queryId!);
    const detail = await console.get(`/console/queries/${second.queryId}`);
    expect([detail.status, (await detail.text()).includes('ana')]).toEqual([200, true]);
    expect(await (await console.get('/console')).text()).toContain('Dashboard');

    // A restart on the same database finds every change.
    await gw.stop();
    gw = await startGateway(config);
    const backends = (await api(gw, 'GET', '/api/v1/backends')).json;
    expect(backends.map((b: { name: string; active: boolean }) => [b.name, b.active])).toEqual([
      ['t1', false],
      ['t2', true],
    ]);
    expect((await api(gw, 'GET', '/api/v1/groups/etl')).status).toBe(200);
    expect((await api(gw, 'GET', '/api/v1/catalogs/adhoc/sales')).json.connector).toBe('memory');
    await expect.poll(async () => (await api(gw!, 'GET', '/api/v1/backends/t2')).json.health).toBe('HEALTHY');
    const third = await runTrino(gw.url, 'SELECT current_cluster()', {
      user: 'ana',
      password: 'ana-password',
    });
    expect([third.error, third.rows]).toEqual([undefined, [['t2']]]);
    const kept = await api(gw, 'GET', `/api/v1/queries/${second.queryId}`);
    expect(kept.json).toMatchObject({ user: 'ana', backend: 't2', state: 'FINISHED' });
  }, 60_000);
});
