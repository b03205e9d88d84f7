import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSealKey } from '../../src/catalogs/secrets.js';
import { runTrino } from '../helpers/clients.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { createTestDatabase, type TestDatabase } from './pg-test-db.js';

const ADMIN = `Basic ${Buffer.from('ops:ops-password').toString('base64')}`;

async function api(gw: TestGateway, method: string, path: string, body?: unknown) {
  const res = await fetch(gw.url + path, {
    method,
    headers: { authorization: ADMIN, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const cluster = (gw: TestGateway, user = 'ops', password = 'ops-password') =>
  runTrino(gw.url, 'SELECT current_cluster()', { user, password }).then((r) => r.rows[0]?.[0]);

/** Two gateways (replicas) on one PostgreSQL database: a change through either steers both. */
describe('replicas on one PostgreSQL database', () => {
  let db: TestDatabase;
  let t1: TrinoEmulator;
  let t2: TrinoEmulator;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    [db, t1, t2] = await Promise.all([
      createTestDatabase(),
      TrinoEmulator.start({ name: 't1' }),
      TrinoEmulator.start({ name: 't2' }),
    ]);
    const config = testConfig([{ name: 't1', url: t1.url }], {
      database: { url: db.url, poolSize: 4 },
      catalogs: { sealKey: generateSealKey() },
      auth: await passwordAuth(['ops', 'ops-password', ['admin']]),
      health: { intervalSeconds: 0.2, timeoutSeconds: 0.5, healthyThreshold: 1, unhealthyThreshold: 1 },
    });
    [a, b] = await Promise.all([startGateway(config), startGateway(config)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([t1?.stop(), t2?.stop()]);
    await db?.drop();
  });

  it('a backend added and another deactivated on one replica steer the other', async () => {
    expect([await cluster(a), await cluster(b)]).toEqual(['t1', 't1']);
    expect(
      (await api(a, 'POST', '/api/v1/backends', { name: 't2', url: t2.url, group: 'adhoc' })).status,
    ).toBe(201);
    expect((await api(a, 'POST', '/api/v1/backends/t1/deactivate')).status).toBe(200);
    // B hears of both through LISTEN/NOTIFY, probes t2 itself, and routes there.
    await expect.poll(() => b.services.registry.get('t1')?.active, { timeout: 5_000 }).toBe(false);
    await expect.poll(() => b.services.registry.get('t2')?.health, { timeout: 5_000 }).toBe('HEALTHY');
    expect(await cluster(b)).toBe('t2');
    // …and B's own changes steer A.
    expect((await api(b, 'PUT', '/api/v1/groups/etl', { policy: 'random' })).status).toBe(201);
    expect((await api(b, 'POST', '/api/v1/backends/t1/activate')).status).toBe(200);
    expect((await api(b, 'DELETE', '/api/v1/backends/t2?force=true')).status).toBe(200);
    await expect.poll(() => a.services.registry.get('t2'), { timeout: 5_000 }).toBeUndefined();
    expect([a.services.registry.get('t1')?.active, a.services.registry.group('etl')?.policy]).toEqual([
      true,
      'random',
    ]);
    expect(await cluster(a)).toBe('t1');
  });

  it('a user added on one replica can sign in on the other', async () => {
    const user = { name: 'ana', password: 'ana-password', roles: ['user'], groups: ['adhoc'] };
    expect((await api(a, 'POST', '/api/v1/users', user)).status).toBe(201);
    await expect.poll(() => b.services.users.get('ana')?.name, { timeout: 5_000 }).toBe('ana');
    expect(await cluster(b, 'ana', 'ana-password')).toBe('t1');
    expect((await api(b, 'DELETE', '/api/v1/users/ana')).status).toBe(200);
    await expect.poll(() => a.services.users.get('ana'), { timeout: 5_000 }).toBeUndefined();
  });

  it('a follow-up by query id is served by the replica that did not see the query', async () => {
    const res = await fetch(`${a.url}/v1/statement`, {
      method: 'POST',
      headers: { authorization: ADMIN, 'x-trino-user': 'ops' },
      body: 'SELECT current_cluster()',
    });
    const { id } = (await res.json()) as { id: string };
    await a.services.recorder.flush();
    // B never saw it: it finds the owner in the shared affinity index and the user in the history. A's
    // affinity write is not awaited before its first answer (README), so B may need a moment to see it.
    const ask = () => fetch(`${b.url}/v1/query/${id}`, { headers: { authorization: ADMIN } });
    let info = await ask();
    for (const until = Date.now() + 10_000; info.status !== 200 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 50));
      info = await ask();
    }
    expect(info.status).toBe(200);
    expect(((await info.json()) as { queryId: string }).queryId).toBe(id);
  });

  it('failed logins on one replica count on the other', async () => {
    const info = (gw: TestGateway, password: string) =>
      fetch(`${gw.url}/api/v1/info`, {
        headers: { authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}` },
      }).then((r) => r.status);
    // Five failures (the default maxFailures), none of the replicas seeing five itself.
    for (const gw of [a, a, a, b, b]) expect(await info(gw, 'wrong-password')).toBe(401);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const blocked = async () =>
        (
          await c.query(
            "SELECT count(*)::int AS n FROM login_failures WHERE key LIKE 'p:%' AND blocked_until > $1",
            [Date.now()],
          )
        ).rows[0].n;
      await expect.poll(blocked, { timeout: 5_000 }).toBe(1);
    } finally {
      await c.end();
    }
    // The pair is refused on both before any hash (each alone would still answer 401).
    expect([await info(a, 'another-guess'), await info(b, 'another-guess')]).toEqual([429, 429]);
  });
});
