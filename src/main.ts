import { ConfigError, configPath, loadConfig } from './config/load.js';
import { DatabaseError } from './db/open.js';
import { Gateway } from './gateway.js';

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
