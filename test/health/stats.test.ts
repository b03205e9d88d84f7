import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrino } from '../helpers/clients.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

describe('cluster load stats', () => {
  let busy: TrinoEmulator;
  let idle: TrinoEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    busy = await TrinoEmulator.start({ name: 'busy', queuedPages: 50 });
    idle = await TrinoEmulator.start({ name: 'idle' });
    gw = await startGateway(
      testConfig(
        [
          { name: 'busy', url: busy.url },
          { name: 'idle', url: idle.url },
        ],
        { health: { intervalSeconds: 0.2, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 1 } },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([busy?.stop(), idle?.stop()]);
  });

  it('reads /ui/api/stats through the UI form login and steers least-loaded away from a busy cluster', async () => {
    // Three queries submitted to `busy` directly (not through the gateway): only its stats show them.
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${busy.url}/v1/statement`, {
        method: 'POST',
        headers: { 'x-trino-user': 'x' },
        body: 'SELECT 1',
      });
      expect(r.status).toBe(200);
    }
    const b = gw.services.registry.get('busy')!;
    await expect.poll(() => b.stats?.queuedQueries, { timeout: 5_000 }).toBe(3);
    expect(b.inFlight).toBe(0);
    expect(busy.requests.some((r) => r.method === 'POST' && r.url === '/ui/login')).toBe(true);
    for (let i = 0; i < 6; i++) {
      const q = await runTrino(gw.url, 'SELECT current_cluster()');
      expect(q.rows).toEqual([['idle']]);
    }
    const api = await fetch(`${gw.url}/api/v1/backends/busy`, { headers: { 'x-trino-user': 'admin' } });
    expect(api.status).toBe(403); // mode none: header users are not admins unless configured
  });

  it('clears the stats of a cluster that stops answering', async () => {
    const b = gw.services.registry.get('busy')!;
    busy.setMode('refuse');
    try {
      await expect.poll(() => b.health, { timeout: 5_000 }).toBe('UNHEALTHY');
      expect(b.stats).toBeUndefined();
    } finally {
      busy.setMode('ok');
    }
  });
});
