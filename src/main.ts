import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { prepareHost } from './cluster/prepare-host.js';
import { START_FAILED_KIND } from './cluster/peer-bus.js';
import { workerReplica } from './cluster/replica.js';
import { supervise, workerCount } from './cluster/supervisor.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { createLogger } from './observability/logger.js';
import { formatSummary, summaryFacts, summaryWarnings } from './cli/startup-summary.js';
import { GATEWAY_USAGE, parseGatewayArgs } from './cli/gateway-args.js';
import { ConfigError, loadConfig } from './config/load.js';
import { DatabaseError } from './db/open.js';
import { openGateway, type Gateway } from './gateway.js';
import { VERSION } from './version.js';

/** fail prints one line naming the problem and exits 2 (a usage or config mistake, never a stack trace). */
function fail(message: string): never {
  process.stderr.write(`switchyard: ${message}\n`);
  process.exit(2);
}

/** workerFailed: a worker that cannot start tells the primary, which prints the line once for all. */
function workerFailed(message: string): Promise<never> {
  return new Promise(() => {
    if (!process.connected) fail(message);
    process.send!({ kind: START_FAILED_KIND, message }, undefined, {}, () => process.exit(2));
  });
}

/** startError is the one line for a start that failed: the problem, with a hint for the usual ones. */
function startError(e: unknown): string {
  if (e instanceof ConfigError || e instanceof DatabaseError) return e.message;
  const code = (e as NodeJS.ErrnoException).code;
  const hint =
    code === 'EADDRINUSE'
      ? ' (another process listens there: stop it, or set server.port)'
      : code === 'EACCES'
        ? ' (ports below 1024 need privileges: set server.port to 8080 or another)'
        : '';
  // Anything else at start (a certificate that is no PEM, a port string…) is still one line.
  return `cannot start: ${(e as Error).message}${hint}`;
}

async function main(): Promise<void> {
  const cmd = parseGatewayArgs(process.argv.slice(2));
  if (cmd.kind === 'help') return void process.stdout.write(`${GATEWAY_USAGE}\n`);
  if (cmd.kind === 'version') return void process.stdout.write(`switchyard ${VERSION}\n`);
  if (cmd.kind === 'error') fail(`${cmd.message}\n\n${GATEWAY_USAGE}`);
  let config: GatewayConfig;
  try {
    config = loadConfig(cmd.configFile);
  } catch (e) {
    fail(startError(e));
  }
  const workers = workerCount(config.server.workers, availableParallelism);
  if (workers > 1 && cluster.isPrimary) return runPrimary(config, workers);
  const replica = cluster.isWorker ? workerReplica(Number(process.env.SWITCHYARD_WORKER)) : undefined;
  let gateway: Gateway;
  try {
    // Each worker's lines say which worker wrote them.
    const logger = replica
      ? createLogger({ level: config.log.level, format: config.log.format }).child({ worker: replica.worker })
      : undefined;
    gateway = await openGateway(config, { replica, ...(logger ? { logger } : {}) });
  } catch (e) {
    if (replica) return workerFailed(startError(e));
    fail(startError(e));
  }
  const { logger } = gateway.services;
  if ((replica?.worker ?? 1) === 1) {
    const facts = summaryFacts(gateway.services, { configFile: cmd.configFile, port: gateway.port });
    process.stderr.write(formatSummary(facts));
    for (const w of summaryWarnings(facts)) logger.warn(w);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    gateway.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: (e as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A worker whose primary is gone (killed) stops rather than serve on alone, unsupervised.
  if (replica) process.on('disconnect', () => shutdown('primary gone'));
  if (replica && !process.connected) shutdown('primary gone');
  process.on('SIGHUP', () => gateway.reload(rereadConfig(cmd.configFile, logger)));
}

/** rereadConfig reads the config file again for a reload; a file that no longer loads is one error line. */
function rereadConfig(file: string, logger: Gateway['services']['logger']): GatewayConfig | undefined {
  try {
    return loadConfig(file);
  } catch (e) {
    logger.error({ err: (e as Error).message }, 'config file not reloaded; the running config stays');
    return undefined;
  }
}

/**
 * runPrimary is the primary of server.workers > 1: the start-up steps that must run once (migrations,
 * secrets, seal key), then the supervisor; it exits with the supervisor's code.
 */
async function runPrimary(config: GatewayConfig, workers: number): Promise<void> {
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  try {
    await prepareHost(config, logger);
  } catch (e) {
    fail(startError(e));
  }
  logger.info({ workers, pid: process.pid }, 'starting worker processes');
  const stopTimeoutMs = config.server.shutdownGraceSeconds * 1000 + 5000;
  process.exit(await supervise({ workers, logger, stopTimeoutMs }));
}

void main();
