import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedQuery } from '../helpers/failed-query.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

describe('what a newcomer meets first', () => {
  let t: TrinoEmulator;
  let gw: TestGateway;
  beforeAll(async () => {
    t = await TrinoEmulator.start({ name: 't1' });
    // etl exists (the shipped rules route writes there) but has no backend and no fallback.
    gw = await startGateway(
      testConfig([{ name: 't1', url: t.url }], { groups: [{ name: 'adhoc' }, { name: 'etl' }] }),
    );
  });
  afterAll(async () => {
    await gw.stop();
    await t.stop();
  });

  it('GET / leads to the console', async () => {
    const r = await fetch(`${gw.url}/`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/console');
  });

  it('a failed query NO_NODES_AVAILABLE names the rule that chose the group', async () => {
    const r = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      headers: { 'X-Trino-User': 'alice' },
      body: 'INSERT INTO t VALUES (1)',
    });
    const body = await failedQuery(r, { 'X-Trino-User': 'alice' });
    expect(body.errorName).toBe('NO_NODES_AVAILABLE');
    expect(body.message).toBe('no available backend in routing group "etl" (chosen by rule "writes-to-etl")');
  });

  it('a NO_NODES_AVAILABLE for a requested group says the header asked for it', async () => {
    const r = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      headers: { 'X-Trino-User': 'alice', 'X-Trino-Routing-Group': 'etl' },
      body: 'SELECT 1',
    });
    expect((await failedQuery(r, { 'X-Trino-User': 'alice' })).message).toContain(
      'asked for in X-Trino-Routing-Group',
    );
  });

  it('a 503 from the only cluster fails the query naming what chose the group too', async () => {
    const down = await TrinoEmulator.start({ name: 'down' });
    // No health checks: the cluster counts as healthy, so its own 503 is what the client meets.
    const g = await startGateway(
      testConfig([{ name: 'down', url: down.url }], { health: { enabled: false } }),
    );
    try {
      await down.setMode('unavailable');
      const r = await fetch(`${g.url}/v1/statement`, {
        method: 'POST',
        headers: { 'X-Trino-User': 'alice' },
        body: 'SELECT 1',
      });
      expect((await failedQuery(r, { 'X-Trino-User': 'alice' })).message).toBe(
        'backend down is unavailable and no other backend of "adhoc" is (routing.defaultGroup)',
      );
    } finally {
      await g.stop();
      await down.stop();
    }
  });
});
