/**
 * `npm run demo`: two emulated Trino clusters in two routing groups (adhoc, etl), a demo admin whose
 * password is printed once (only its hash is in the config), and the gateway on the embedded defaults
 * with a throw-away SQLite file and the example rules. Listens on 127.0.0.1 only. Ctrl-C stops it all.
 *
 *   npm run demo                 plain HTTP on 127.0.0.1:8080 (or a free port when 8080 is taken)
 *   npm run demo -- --port 9090
 *   npm run demo -- --tls        HTTPS with a throw-away self-signed certificate (what the Trino CLI
 *                                needs before it sends a password)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { hashPassword } from '../auth/password-hash.js';
import { parseConfig } from '../config/load.js';
import { generateSealKey } from '../catalogs/secrets.js';
import { openGateway } from '../gateway.js';
import { TrinoEmulator } from '../../test/helpers/trino-emulator/index.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    tls: { type: 'boolean', default: false },
    user: { type: 'string', default: 'demo' },
  },
});
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchyard-demo-'));

/** freePort: the asked port when it is free on 127.0.0.1, else one the system picks. */
function freePort(wanted: number): Promise<number> {
  const attempt = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const got = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(got));
      });
    });
  return attempt(wanted).catch(() => attempt(0));
}

/** selfSigned writes a one-day certificate for 127.0.0.1/localhost with the openssl CLI. */
function selfSigned(): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' }); // prettier-ignore
  return { cert, key };
}

const adhoc = await TrinoEmulator.start({ name: 'trino-adhoc' });
const etl = await TrinoEmulator.start({ name: 'trino-etl' });
const user = args.user;
const password = randomBytes(12).toString('base64url');
const port = await freePort(Number(args.port));
const scheme = args.tls ? 'https' : 'http';
const publicUrl = `${scheme}://127.0.0.1:${port}`;

const config = {
  server: { host: '127.0.0.1', port, publicUrl, ...(args.tls ? { tls: selfSigned() } : {}) },
  database: { path: join(dir, 'switchyard.db') },
  groups: [{ name: 'adhoc' }, { name: 'etl' }],
  backends: [
    { name: 'trino-adhoc', url: adhoc.url, group: 'adhoc', externalUrl: adhoc.url },
    { name: 'trino-etl', url: etl.url, group: 'etl', externalUrl: etl.url },
  ],
  auth: {
    // The emulated clusters authenticate nobody: like a Trino cluster left at its defaults, they would refuse a password.
    forwardAuthorization: 'never',
    users: [
      { name: user, passwordHash: await hashPassword(password), roles: ['admin', 'user'], groups: ['*'] },
    ],
  },
  // A throw-away key for a throw-away database (a real install keeps its key: see catalogs.sealKey).
  catalogs: { sealKey: generateSealKey() },
  log: { level: 'warn' },
};
const gateway = await openGateway(parseConfig(stringify(config), { baseDir: repoRoot }));

const k = args.tls ? 'k' : '';
const say = (s = '') => process.stdout.write(`${s}\n`);
say(`
Switchyard demo — Ctrl-C stops everything.

  gateway   ${publicUrl}
  console   ${publicUrl}/console
  sign in   user ${user}, password ${password}   (shown once; only its hash is in the config)
  clusters  trino-adhoc ${adhoc.url} (group adhoc), trino-etl ${etl.url} (group etl)
  rules     ${join(repoRoot, 'rules')} (airflow, dbt, etl tags, DDL and writes go to etl)
  database  ${join(dir, 'switchyard.db')}

Run a query (each POST is one query; follow nextUri to its end as a client would):
  curl -s${k} -u '${user}:${password}' -H 'X-Trino-Source: airflow' --data 'SELECT current_cluster()' ${publicUrl}/v1/statement

Add a catalog to every cluster of a group (then see it under Catalogs in the console; query it with
SELECT * FROM sales.s.t through the gateway):
  curl -s${k} -u '${user}:${password}' -H 'content-type: application/json' --data '{"group":"adhoc","name":"sales","connector":"memory","properties":{"connection-password":"secret"}}' ${publicUrl}/api/v1/catalogs
${
  args.tls
    ? `  TRINO_PASSWORD='${password}' trino --server ${publicUrl} --insecure --user ${user} --password --execute 'SELECT current_cluster()'`
    : `  The Trino CLI sends a password over HTTPS only: run \`npm run demo -- --tls\` for a trino CLI line.`
}`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  say('\nstopping…');
  void Promise.allSettled([gateway.stop(2000), adhoc.stop(), etl.stop()]).then(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
