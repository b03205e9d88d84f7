import { stringify } from 'yaml';
import { proxyDeps } from '../../src/compose/create-proxy.js';
import { drainServices } from '../../src/compose/loops.js';
import { openResources } from '../../src/compose/open-resources.js';
import { buildServices, type Services } from '../../src/compose/services.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { proxyContext, type ProxyContext } from '../../src/proxy/proxy-deps.js';
import { testConfig, type ConfigObject } from './start-gateway.js';

export interface ProxyFixture {
  /** The services, as buildServices made them (real registry, picker, affinity, tracker, SQLite). */
  s: Services;
  /** The protocol proxy's context over them, as createProxy builds it. */
  cx: ProxyContext;
  close: () => Promise<void>;
}

/**
 * proxyFixture builds the real services of a config (in-memory SQLite, no listener, no loops) and the
 * ProxyContext the protocol proxy's functions take, for tests of those functions without a gateway.
 */
export async function proxyFixture(
  backends: Array<{ name: string; url: string; group?: string; [k: string]: unknown }>,
  extra: ConfigObject = {},
): Promise<ProxyFixture> {
  const cfg = parseConfig(
    stringify(testConfig(backends, { health: { enabled: false }, log: { level: 'info' }, ...extra })),
    { baseDir: process.cwd() },
  );
  const stop = new AbortController();
  const logger = silentLogger();
  const metrics = new Metrics();
  const r = await openResources(cfg, logger, metrics, stop.signal);
  const s = buildServices(cfg, r, { logger, metrics });
  return {
    s,
    cx: proxyContext(proxyDeps(s)),
    close: async () => {
      stop.abort();
      s.queue?.stop();
      await drainServices(s, Promise.resolve());
    },
  };
}

/** counter reads one labelled value of a prom-client counter (0 when never counted). */
export async function counter(
  c: { get(): Promise<{ values: Array<{ labels: Record<string, unknown>; value: number }> }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await c.get();
  const v = values.find((x) => Object.entries(labels).every(([k, want]) => x.labels[k] === want));
  return v?.value ?? 0;
}
