import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { openPostgres } from '../src/db/open-pg.js';
import { postgresBin, startPostgres, type PgServer } from './db/pg-server.js';

/**
 * Debian packages the suite needs, each with the file that shows it is installed: Chromium for the
 * console's browser tests (launched at /usr/bin/chromium, or CHROMIUM_PATH), openssl for the TLS
 * certificates tests make, PostgreSQL's server for the PostgreSQL store (initdb under /usr/lib/postgresql).
 */
export const NEEDED = [
  { pkg: 'chromium', present: () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') },
  { pkg: 'openssl', present: () => spawnSync('openssl', ['version']).status === 0 },
  { pkg: 'postgresql', present: () => postgresBin() !== undefined },
] as const;

/** The environment variables test files read: the server's URL, or why there is none. */
export const PG_URL_ENV = 'SWITCHYARD_TEST_PG';
export const PG_ERROR_ENV = 'SWITCHYARD_TEST_PG_ERROR';
/** The database every test file's database is copied from (CREATE DATABASE … TEMPLATE): migrated. */
export const PG_TEMPLATE = 'switchyard_template';

/** missingPackages names the Debian packages of NEEDED that are not installed. */
export function missingPackages(
  needed: ReadonlyArray<{ pkg: string; present: () => boolean }> = NEEDED,
): string[] {
  return needed.filter((n) => !n.present()).map((n) => n.pkg);
}

/**
 * vitest globalSetup: `npm test` on a fresh Debian machine installs what is missing with apt-get, as
 * .ci/run does, so nobody installs anything by hand (root, or passwordless sudo). When it cannot, it
 * says what to install; the tests that need it then fail (they are never skipped).
 */
export default async function setup(): Promise<(() => void) | undefined> {
  installMissing();
  return startTestPostgres();
}

/**
 * startTestPostgres starts a private PostgreSQL for this run and exports its URL (SWITCHYARD_TEST_PG) to the
 * test processes, which fork after this and inherit it; a URL already set is used as is. When it cannot
 * start, SWITCHYARD_TEST_PG_ERROR says why and every test that needs PostgreSQL fails with that reason:
 * loudly, never skipped.
 */
async function startTestPostgres(): Promise<(() => void) | undefined> {
  let server: PgServer | undefined;
  try {
    let url = process.env[PG_URL_ENV];
    if (!url) {
      const bin = postgresBin();
      if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
      server = await startPostgres(bin);
      url = server.url;
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE}`);
      await client.query(`CREATE DATABASE ${PG_TEMPLATE}`);
    } finally {
      await client.end();
    }
    // The template carries the migrated schema: a test file's database is a copy, ready at once.
    const t = new URL(url);
    t.pathname = `/${PG_TEMPLATE}`;
    const opened = await openPostgres(t.toString(), {
      poolSize: 1,
      connectTimeoutMs: 10_000,
      queryTimeoutMs: 60_000,
    });
    await opened.close();
    process.env[PG_URL_ENV] = url;
  } catch (e) {
    server?.stop();
    const reason = `PostgreSQL for tests could not start: ${(e as Error).message}`;
    process.stderr.write(`test setup: ${reason}\n`);
    process.env[PG_ERROR_ENV] = reason;
    return undefined;
  }
  return server ? () => server.stop() : undefined;
}

function installMissing(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const root = process.getuid?.() === 0;
  const canApt = spawnSync('apt-get', ['--version']).status === 0;
  if (!canApt || (!root && spawnSync('sudo', ['-n', 'true']).status !== 0)) {
    process.stderr.write(`test setup: please install ${missing.join(' ')} (tests that need it will fail)\n`);
    return;
  }
  process.stderr.write(`test setup: installing ${missing.join(' ')} with apt-get (once)\n`);
  const run = (args: string[]) => {
    const cmd = root ? args : ['sudo', '-n', ...args];
    execFileSync(cmd[0]!, cmd.slice(1), {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  } catch (e) {
    process.stderr.write(
      `test setup: apt-get failed (${(e as Error).message}); install ${missing.join(' ')}\n`,
    );
  }
  const still = missingPackages();
  if (still.length > 0) process.stderr.write(`test setup: still missing: ${still.join(' ')}\n`);
}
