import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import { openGateway } from '../src/gateway.js';
import { silentLogger } from '../src/observability/logger.js';
import { Metrics } from '../src/observability/metrics.js';
import { freePort, testConfig } from './helpers/start-gateway.js';

const config = (port: number) =>
  parseConfig(
    stringify(testConfig([], { server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` } })),
    { baseDir: process.cwd() },
  );

describe('openGateway', () => {
  it('resolves listening and ready, and stop() drains once and closes the database', async () => {
    const gw = await openGateway(config(0), { logger: silentLogger(), metrics: new Metrics() });
    const base = `http://127.0.0.1:${gw.port}`;
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    const first = gw.stop(100);
    expect(gw.stop(100)).toBe(first);
    await first;
    expect(gw.services.db!.sqlite.open).toBe(false);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('rejects a port in use with the listener’s error (the one line main prints names it)', async () => {
    const port = await freePort();
    const taken = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    try {
      await expect(
        openGateway(config(port), { logger: silentLogger(), metrics: new Metrics() }),
      ).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      taken.close();
    }
  });
});
