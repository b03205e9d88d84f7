import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSealKey } from '../../src/catalogs/secrets.js';
import { freePort, spawnGateway, testConfig, type GatewayProcess } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { createTestDatabase, type TestDatabase } from './pg-test-db.js';

/** leads reads a replica's switchyard_replica_leader gauge; undefined when it does not answer. */
async function leads(gw: GatewayProcess): Promise<boolean | undefined> {
  try {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const m = /^switchyard_replica_leader (\d)/m.exec(text);
    return m ? m[1] === '1' : undefined;
  } catch {
    return undefined;
  }
}

/** statsCalls counts the cluster UI stats requests an emulator has been asked so far. */
const statsCalls = (t: TrinoEmulator) => t.requests.filter((r) => r.url.startsWith('/ui/api/stats')).length;

/** Two gateway processes on one PostgreSQL database: one leads, and the other takes over when it dies. */
describe('the leader of several replicas', () => {
  let db: TestDatabase;
  let t1: TrinoEmulator;
  const gws: GatewayProcess[] = [];

  beforeAll(async () => {
    [db, t1] = await Promise.all([createTestDatabase(), TrinoEmulator.start({ name: 't1' })]);
    const sealKey = generateSealKey();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const config = testConfig([{ name: 't1', url: t1.url }], {
        server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
        database: { url: db.url, poolSize: 2 },
        catalogs: { sealKey },
        health: { intervalSeconds: 0.2, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 1 },
        log: { level: 'info' },
      });
      gws.push(await spawnGateway(config));
    }
  }, 60_000);
  afterAll(async () => {
    const alive = gws.filter((g) => g.child.exitCode === null && g.child.signalCode === null);
    await Promise.all(alive.map((g) => g.kill('SIGKILL')));
    await t1?.stop();
    await db?.drop();
  });

  it('elects one leader, which alone polls stats; a killed leader is replaced, and both kept probing health', async () => {
    const [a, b] = gws as [GatewayProcess, GatewayProcess];
    await expect
      .poll(async () => [await leads(a), await leads(b)].filter(Boolean).length, { timeout: 10_000 })
      .toBe(1);
    const [leader, follower] = (await leads(a)) ? [a, b] : [b, a];
    // Both probe /v1/info; only the leader asks the cluster's UI for its load.
    const before = t1.requests.length;
    await expect.poll(() => t1.requests.length - before, { timeout: 10_000 }).toBeGreaterThan(10);
    expect(statsCalls(t1)).toBeGreaterThan(0);

    await leader.kill('SIGKILL');
    await expect.poll(() => leads(follower), { timeout: 15_000, interval: 200 }).toBe(true);
    const stats = statsCalls(t1);
    await expect.poll(() => statsCalls(t1), { timeout: 10_000 }).toBeGreaterThan(stats);
    expect(follower.output()).toContain('this replica now leads');
  }, 60_000);
});
