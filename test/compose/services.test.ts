import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openResources } from '../../src/compose/open-resources.js';
import { drainServices } from '../../src/compose/loops.js';
import { buildServices, type Services } from '../../src/compose/services.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { testConfig } from '../helpers/start-gateway.js';

async function services(
  extra: Record<string, unknown> = {},
): Promise<{ s: Services; stop: AbortController }> {
  const cfg = parseConfig(stringify(testConfig([{ name: 't1', url: 'http://127.0.0.1:9' }], extra)), {
    baseDir: process.cwd(),
  });
  const stop = new AbortController();
  const logger = silentLogger();
  const metrics = new Metrics();
  const r = await openResources(cfg, logger, metrics, stop.signal);
  return { s: buildServices(cfg, r, { logger, metrics }), stop };
}

describe('buildServices', () => {
  it('wires every service from the config and what was opened, none missing', async () => {
    const { s, stop } = await services();
    // Off by config: monitor and oidc; PostgreSQL only: replicas and sharedStats.
    const optional = ['monitor', 'oidc', 'replicas', 'sharedStats'];
    const missing = Object.entries(s).filter(([k, v]) => v === undefined && !optional.includes(k));
    expect(missing).toEqual([]);
    expect(s.registry.get('t1')?.group).toBe('adhoc');
    expect(s.registry.group('adhoc')).toBeDefined();
    expect(s.monitor).toBeDefined(); // health checks are on by default
    expect(s.oidc).toBeUndefined(); // no auth.oidc
    stop.abort();
    await drainServices(s, Promise.resolve());
  });

  it('counts every backend healthy when health checks are off, also one added later', async () => {
    const { s, stop } = await services({ health: { enabled: false } });
    expect(s.monitor).toBeUndefined();
    expect(s.registry.get('t1')?.health).toBe('HEALTHY');
    await s.registry.add({
      name: 't2',
      url: 'http://127.0.0.1:10',
      group: 'adhoc',
      active: true,
      weight: 1,
      catalogDriver: 'sql',
    });
    expect(s.registry.get('t2')?.health).toBe('HEALTHY');
    stop.abort();
    await drainServices(s, Promise.resolve());
  });
});
