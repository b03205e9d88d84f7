import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSealKey } from '../../src/catalogs/secrets.js';
import { runTrino } from '../helpers/clients.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { postgresBin, startPostgres, type PgServer } from './pg-server.js';

const AS_ADMIN = { 'x-trino-user': 'ops', 'content-type': 'application/json' };

/** A gateway whose PostgreSQL (a private server, so this test may stop it) goes away and comes back. */
describe('a gateway on PostgreSQL while PostgreSQL is away', () => {
  let pg: PgServer;
  let t1: TrinoEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    const bin = postgresBin();
    if (!bin) throw new Error('no PostgreSQL server programs under /usr/lib/postgresql');
    [pg, t1] = await Promise.all([startPostgres(bin), TrinoEmulator.start({ name: 't1', rowsPerPage: 2 })]);
    gw = await startGateway(
      testConfig([{ name: 't1', url: t1.url }], {
        database: { url: pg.url, poolSize: 2, connectTimeoutSeconds: 1, queryTimeoutSeconds: 2 },
        catalogs: { sealKey: generateSealKey() },
        auth: { mode: 'none', headerUsers: { groups: ['*'], roles: ['admin', 'user'] } },
        history: { flushIntervalMs: 100 },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await t1?.stop();
    pg?.stop();
  });

  const ready = async () => (await fetch(`${gw.url}/readyz`)).json() as Promise<Record<string, string>>;
  const deactivate = (to: 'activate' | 'deactivate') =>
    fetch(`${gw.url}/api/v1/backends/t1/${to}`, { method: 'POST', headers: AS_ADMIN });

  it('routes and polls from memory, answers admin writes 503 saying why, and picks PostgreSQL up again', async () => {
    expect((await runTrino(gw.url, 'SELECT 1', { user: 'ops' })).error).toBeUndefined();
    pg.halt();
    await expect.poll(() => ready(), { timeout: 10_000 }).toMatchObject({ status: 'ready' });
    await expect.poll(async () => (await ready()).database, { timeout: 10_000 }).toMatch(/unreachable/);

    const during = await runTrino(gw.url, 'SELECT * FROM UNNEST(sequence(1, 6))', { user: 'ops' });
    expect([during.error, during.rows.length]).toEqual([undefined, 6]);
    const refused = await deactivate('deactivate');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /^the database \(database\.url\) cannot be reached: .*nothing was changed/,
    );
    expect(gw.services.registry.get('t1')!.active).toBe(true); // never half-applied

    pg.resume();
    await expect.poll(() => ready(), { timeout: 15_000, interval: 200 }).toEqual({ status: 'ready' });
    expect((await deactivate('deactivate')).status).toBe(200);
    expect((await deactivate('activate')).status).toBe(200);
    // The query served during the outage reaches its history row once PostgreSQL is back.
    await expect
      .poll(
        async () => (await fetch(`${gw.url}/api/v1/queries/${during.queryId}`, { headers: AS_ADMIN })).status,
        { timeout: 15_000, interval: 200 },
      )
      .toBe(200);
  }, 90_000);
});
