/** Runs Switchyard alone in its own process for the benchmark: one backend, no auth, SQLite in memory. */
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { Gateway } from '../../src/gateway.js';

const [port, backend] = [Number(process.argv[2]), process.argv[3]];
const config = parseConfig(
  stringify({
    server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
    database: { path: ':memory:' },
    routing: { defaultGroup: 'adhoc', rulesDir: new URL('../../rules', import.meta.url).pathname },
    groups: [{ name: 'adhoc' }],
    backends: [{ name: 'trino-1', url: backend, group: 'adhoc' }],
    log: { level: 'warn' },
    auth: { mode: 'none' },
  }),
);
const gw = new Gateway({ config });
await gw.start();
// A normal exit on SIGTERM, so `node --cpu-prof` (bench/run.ts --profile) writes its profile.
process.once('SIGTERM', () => process.exit(0));
process.stdout.write('ready\n');
