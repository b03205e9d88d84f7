import { ConfigError, loadConfig } from './config/load.js';
import { DatabaseError } from './db/open.js';
import { Gateway } from './gateway.js';

/** configPath: `--config FILE`, else SWITCHYARD_CONFIG, else ./gateway.config.yaml. */
function configPath(argv: string[]): string {
  const i = argv.indexOf('--config');
  if (i >= 0 && argv[i + 1]) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith('--config='));
  if (eq) return eq.slice('--config='.length);
  return process.env.SWITCHYARD_CONFIG || 'gateway.config.yaml';
}

async function main(): Promise<void> {
  let gateway: Gateway;
  try {
    gateway = new Gateway({ config: loadConfig(configPath(process.argv.slice(2))) });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DatabaseError) {
      process.stderr.write(`switchyard: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  try {
    await gateway.start();
  } catch (e) {
    process.stderr.write(`switchyard: cannot start: ${(e as Error).message}\n`);
    process.exit(2);
  }
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
