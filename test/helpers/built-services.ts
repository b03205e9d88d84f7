import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { drainServices } from '../../src/compose/loops.js';
import { openResources } from '../../src/compose/open-resources.js';
import { buildServices, type Services } from '../../src/compose/services.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { testConfig } from './start-gateway.js';

export interface Built {
  s: Services;
  /** Every log line written so far, parsed. */
  lines(): Array<{ level: number; msg: string; [k: string]: unknown }>;
}

const built: Array<{ s: Services; stop: AbortController }> = [];

/**
 * buildTestServices builds a gateway's services as openGateway does (openResources, then buildServices),
 * without listening or starting loops, logging at debug into memory. Call releaseServices after each test.
 */
export async function buildTestServices(
  backends: Parameters<typeof testConfig>[0],
  extra: Record<string, unknown> = {},
): Promise<Built> {
  const cfg = parseConfig(stringify(testConfig(backends, { health: { enabled: false }, ...extra })), {
    baseDir: process.cwd(),
  });
  let text = '';
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _e, cb) {
        text += chunk.toString();
        cb();
      },
    }),
  });
  const stop = new AbortController();
  const metrics = new Metrics();
  const r = await openResources(cfg, logger, metrics, stop.signal);
  const s = buildServices(cfg, r, { logger, metrics });
  built.push({ s, stop });
  return {
    s,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

/** releaseServices stops and drains every service set buildTestServices made. */
export async function releaseServices(): Promise<void> {
  for (const { s, stop } of built.splice(0)) {
    stop.abort();
    await drainServices(s, Promise.resolve());
  }
}
