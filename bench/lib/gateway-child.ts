/**
 * Runs Switchyard alone in its own process for the benchmark: one backend, SQLite in memory.
 * `gateway-child.ts PORT BACKEND_URL [basic]`: without `basic`, `auth.mode: none`; with it, HTTP Basic
 * for the user `bench` (password `bench`), so every poll is authenticated as real clients' are.
 * `BENCH_MAX_SOCKETS=n` sets `proxy.maxSocketsPerBackend` (default 6000) for workload (d).
 * `BENCH_MAX_BATCH_ROWS=n` sets `history.maxBatchRows` (workload (e), before/after slicing).
 * `BENCH_DB=path` keeps history in that SQLite file instead of memory (the write path of workload (e)).
 * Started with an IPC channel, it answers `stats` messages (bench/lib/gateway-stats.ts).
 */
import { stringify } from 'yaml';
import { serveStats } from './gateway-stats.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { parseConfig } from '../../src/config/load.js';
import { openGateway } from '../../src/gateway.js';

const [port, backend, authArg] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const auth =
  authArg === 'basic'
    ? {
        mode: 'password',
        // The default, spelled out: a cluster without authentication gets the user, never the password
        // (it refuses a password, as Trino's InsecureAuthenticator does); the bare forwarder does the same.
        forwardAuthorization: 'auto',
        users: [
          { name: 'bench', passwordHash: await hashPassword('bench'), groups: ['adhoc'], roles: ['user'] },
        ],
      }
    : { mode: 'none' };
const config = parseConfig(
  stringify({
    server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
    database: { path: process.env.BENCH_DB ?? ':memory:' },
    ...(process.env.BENCH_MAX_BATCH_ROWS
      ? { history: { maxBatchRows: Number(process.env.BENCH_MAX_BATCH_ROWS) } }
      : {}),
    routing: { defaultGroup: 'adhoc', rulesDir: new URL('../../rules', import.meta.url).pathname },
    groups: [{ name: 'adhoc' }],
    backends: [{ name: 'trino-1', url: backend, group: 'adhoc' }],
    log: { level: 'warn' },
    ...(process.env.BENCH_MAX_SOCKETS
      ? { proxy: { maxSocketsPerBackend: Number(process.env.BENCH_MAX_SOCKETS) } }
      : {}),
    auth,
  }),
);
const gw = await openGateway(config);
// A normal exit on SIGTERM, so `node --cpu-prof` (bench/run.ts --profile) writes its profile.
process.once('SIGTERM', () => process.exit(0));
serveStats(gw.services);
process.stdout.write('ready\n');
