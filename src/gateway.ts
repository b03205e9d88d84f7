import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { buildServices, type Runtime, type Services } from './compose/services.js';
import { syncReplica } from './cluster/replica-sync.js';
import { createApp } from './compose/create-app.js';
import { fileOwned } from './declared/declared-names.js';
import { reloadDeclared } from './declared/reload-declared.js';
import { createProxy } from './compose/create-proxy.js';
import { drainServices, startLoops } from './compose/loops.js';
import { openResources, type Resources } from './compose/open-resources.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { createLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { ruleGroupWarnings } from './routing/rule-start.js';
import { createListener } from './server.js';

/** A running gateway: its services (for the start-up summary, tests and benchmarks), its port, its stop. */
export interface Gateway {
  services: Services;
  /** The port it listens on. */
  port: number;
  /**
   * reload re-reads what can change without a restart (routing rules; with configAuthority: file, the
   * re-read config's groups, backends and users); called on SIGHUP.
   */
  reload(next?: GatewayConfig): void;
  /**
   * stop stops accepting connections, lets in-flight requests finish within graceMs (default
   * server.shutdownGraceSeconds), stops every loop through one signal, flushes history and closes the
   * database. Idempotent.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * openGateway is the composition root: start-up I/O first (database, TLS files, rules, seal key), then
 * the services (no I/O), the app and the proxy, then it listens and starts the background loops; it
 * resolves once the first health round is done. Nothing happens at import time.
 */
export async function openGateway(config: GatewayConfig, rt: Partial<Runtime> = {}): Promise<Gateway> {
  const logger = rt.logger ?? createLogger({ level: config.log.level, format: config.log.format });
  const metrics = rt.metrics ?? new Metrics({ processMetrics: true });
  const bornAt = Date.now(); // history rows RUNNING from before this are an earlier run's
  const stopSignal = new AbortController();
  // A worker's primary applied the file's groups and backends before forking (one writer, one warning).
  const resources = await openResources(config, logger, metrics, stopSignal.signal, {
    declare: !rt.replica?.worker,
  });
  let s: Services | undefined;
  let server: http.Server;
  let ready = false;
  try {
    s = buildServices(config, resources, { logger, metrics, replica: rt.replica });
    syncReplica(s);
    s.registry.setFileOwned(fileOwned(config));
    await s.databaseRules.load();
    server = wire(s, resources.tls, () => ready);
    await listen(server, config);
  } catch (e) {
    stopSignal.abort();
    s?.forwarder.close();
    s?.registry.close();
    await resources.store.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const { historyRepaired } = await startLoops(s, stopSignal.signal, bornAt);
  ready = true;
  s.replica.ready();
  logger.info({ port, publicUrl: config.server.publicUrl }, 'switchyard listening');
  let stopping: Promise<void> | undefined;
  return {
    services: s,
    port,
    reload(next) {
      logger.info('reload requested');
      void s.rules.reload();
      if (next)
        reloadDeclared(next, s).catch((e: unknown) =>
          logger.error({ err: (e as Error).message }, 'config file not applied; the running state stays'),
        );
    },
    stop(graceMs = config.server.shutdownGraceSeconds * 1000) {
      stopping ??= (async () => {
        await closeServer(server, graceMs);
        stopSignal.abort();
        await drainServices(s, historyRepaired());
        logger.info('switchyard stopped');
      })();
      return stopping;
    },
  };
}

/** wire warns of rules routing to unknown groups and builds the one listener over the app and the proxy. */
function wire(s: Services, tls: Resources['tls'], isReady: () => boolean): http.Server {
  const groups = new Set(s.registry.groups().map((g) => g.name));
  for (const line of ruleGroupWarnings(s.rules.rules, groups)) s.logger.warn(line);
  const app = createApp(s, { isReady });
  const proxy = createProxy(s);
  return createListener(s.config, tls, (req, res) => proxy.handle(req, res), getRequestListener(app.fetch));
}

function listen(server: http.Server, config: GatewayConfig): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(
      { port: config.server.port, host: config.server.host, backlog: config.server.acceptQueueSize },
      () => resolve(),
    );
  });
}

/** closeServer stops accepting; keep-alive connections close once idle, all of them after graceMs. */
async function closeServer(server: http.Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearInterval(idle);
  clearTimeout(timer);
}
