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
  let gateway: Gateway;
  try {
    gateway = await openGateway(loadConfig(cmd.configFile));
  } catch (e) {
    fail(startError(e));
  }
  const { logger } = gateway.services;
  const facts = summaryFacts(gateway.services, { configFile: cmd.configFile, port: gateway.port });
  process.stderr.write(formatSummary(facts));
  for (const w of summaryWarnings(facts)) logger.warn(w);
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
  process.on('SIGHUP', () => gateway.reload());
}

void main();
