import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { freePort, spawnGateway, testConfig } from './helpers/start-gateway.js';

/** run starts src/main.ts and returns what it printed; every case here exits before listening. */
function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** runAsync is run without blocking this process (which holds the port the child must find taken). */
function runAsync(...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out, err })),
  );
}

describe('src/main.ts', () => {
  it('prints the version and exits', () => {
    expect(run('--version')).toMatchObject({ code: 0, out: `switchyard ${VERSION}\n` });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints help and exits', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('--config FILE');
  });

  it('refuses a mistyped flag instead of starting on the default config', () => {
    const r = run('--conifg', 'x.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^switchyard: unknown option --conifg; see --help\n/);
    expect(r.out).not.toContain('listening');
  });

  it('names a missing TLS file in one line, without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-tls-'));
    const file = join(dir, 'gw.yaml');
    writeFileSync(
      file,
      `server: { host: 127.0.0.1, port: 0, tls: { cert: ./nope.pem, key: ./nope-key.pem } }\ndatabase: { path: ':memory:' }\n`,
    );
    const r = run('--config', file);
    expect(r.code).toBe(2);
    // One line per mistake, each naming the key and the fix; no stack trace.
    expect(r.err).toContain(`server.tls.cert: file ${join(dir, 'nope.pem')} does not exist`);
    expect(r.err).toContain(`server.tls.key: file ${join(dir, 'nope-key.pem')} does not exist`);
    expect(r.err).toContain('or remove server.tls for plain HTTP');
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('names a port in use and the fix, in one line', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as net.AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'sy-port-'));
    const file = join(dir, 'gw.yaml');
    writeFileSync(
      file,
      `server: { host: 127.0.0.1, port: ${port} }\ndatabase: { path: ':memory:' }\nhealth: { enabled: false }\nrouting: { rulesDir: ${process.cwd()}/rules }\n`,
    );
    try {
      const r = await runAsync('--config', file);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /^switchyard: cannot start: listen EADDRINUSE.*\(another process listens there: stop it, or set server.port\)\n$/,
      );
    } finally {
      taken.close();
    }
  });

  it('prints its start summary, and on SIGTERM drains and exits 0', async () => {
    const port = await freePort();
    const gw = await spawnGateway(
      testConfig([], { server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` } }),
    );
    expect(gw.output()).toContain(`http://127.0.0.1:${port}`);
    expect(await gw.kill('SIGTERM')).toBe(0);
    expect(gw.output()).toMatch(/"msg":"draining"/);
  });
});
