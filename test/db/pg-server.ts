import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The directory of PostgreSQL's server programs from Debian's package (/usr/lib/postgresql/<major>/bin, the
 * newest major), or undefined when none is installed. Debian puts only the client on PATH.
 */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'bin', 'initdb')) && existsSync(join(root, d, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(a) - Number(b));
  const newest = majors.at(-1);
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

/** A port nobody listens on now (engineers and CI jobs share this machine: a fixed port would collide). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PgServer {
  /** Connection URL of the `postgres` database, trust auth on 127.0.0.1. */
  url: string;
  stop(): void;
  /** halt stops the server (fast shutdown: sessions end), keeping its data for resume. */
  halt(): void;
  /** resume starts the halted server again on the same port and data. */
  resume(): void;
}

/**
 * startPostgres runs a private, throwaway PostgreSQL: initdb into a fresh temporary directory and pg_ctl
 * start on a free port, with its socket in that directory, durability off (tests need no crash safety).
 * PostgreSQL refuses to run as root, so as root both run as the `postgres` user through runuser (no
 * systemd, no service scripts: a CI container has neither). Throws with the tool's output when it fails.
 */
export async function startPostgres(bin: string): Promise<PgServer> {
  const root = mkdtempSync(join(tmpdir(), 'sy-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const pw = execFileSync('id', ['-u', 'postgres']).toString().trim();
    const gr = execFileSync('id', ['-g', 'postgres']).toString().trim();
    chownSync(root, Number(pw), Number(gr));
  }
  const run = (prog: string, args: string[]) => {
    const cmd = asRoot
      ? ['runuser', '-u', 'postgres', '--', join(bin, prog), ...args]
      : [join(bin, prog), ...args];
    const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0)
      throw new Error(`${prog} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').trim()}`);
  };
  const data = join(root, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
  ].join(' ');
  const start = () =>
    run('pg_ctl', ['-D', data, '-l', join(root, 'log'), '-w', '-s', '-t', '30', '-o', options, 'start']);
  try {
    start();
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    halt: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-s', 'stop']),
    resume: start,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-s', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
