import { formatSummary, summaryFacts, summaryWarnings } from './cli/startup-summary.js';
import { GATEWAY_USAGE, parseGatewayArgs } from './cli/gateway-args.js';
import { ConfigError, loadConfig } from './config/load.js';
import { DatabaseError } from './db/open.js';
import { Gateway } from './gateway.js';
import { VERSION } from './version.js';

/** fail prints one line naming the problem and exits 2 (a usage or config mistake, never a stack trace). */
function fail(message: string): never {
  process.stderr.write(`switchyard: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const cmd = parseGatewayArgs(process.argv.slice(2));
  if (cmd.kind === 'help') return void process.stdout.write(`${GATEWAY_USAGE}\n`);
  if (cmd.kind === 'version') return void process.stdout.write(`switchyard ${VERSION}\n`);
  if (cmd.kind === 'error') fail(`${cmd.message}\n\n${GATEWAY_USAGE}`);
  let gateway: Gateway;
  try {
    const config = loadConfig(cmd.configFile);
    gateway = new Gateway({ config });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DatabaseError) fail(e.message);
    // Anything else at construction (a certificate that is no PEM, a port string…) is still one line.
    fail(`cannot start: ${(e as Error).message}`);
  }
  let port: number;
  try {
    port = await gateway.start();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE'
        ? ' (another process listens there: stop it, or set server.port)'
        : code === 'EACCES'
          ? ' (ports below 1024 need privileges: set server.port to 8080 or another)'
          : '';
    fail(`cannot start: ${(e as Error).message}${hint}`);
  }
  const facts = summaryFacts(gateway, { configFile: cmd.configFile, port });
  process.stderr.write(formatSummary(facts));
  for (const w of summaryWarnings(facts)) gateway.logger.warn(w);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.logger.info({ signal }, 'draining');
    gateway.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        gateway.logger.error({ err: (e as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => gateway.reload());
}

void main();
