import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrino } from '../helpers/clients.js';
import { freePort } from '../helpers/start-gateway.js';

/** `npm run demo`: the printed login works, queries route by the example rules, Ctrl-C cleans up. */
describe('demo CLI', () => {
  let child: ChildProcess;
  let out = '';
  let port: number;
  const exited = () =>
    new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
    );

  beforeAll(async () => {
    port = await freePort();
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/demo.ts', '--port', String(port), '--user', 'tester'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    const until = Date.now() + 30_000;
    while (!/Run a query/.test(out)) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`demo did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 40_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited();
    }
  });

  const password = () => /sign in\s+user tester, password (\S+)/.exec(out)?.[1];

  it('prints the gateway, the console and a login shown once, on 127.0.0.1 at the port asked', () => {
    expect(out).toContain(`gateway   http://127.0.0.1:${port}`);
    expect(out).toContain(`console   http://127.0.0.1:${port}/console`);
    expect(password()).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(out).toMatch(/The Trino CLI sends a password over HTTPS only/);
  });

  it('runs queries with the printed login, routed by the example rules to the two clusters', async () => {
    const url = `http://127.0.0.1:${port}`;
    const auth = { user: 'tester', password: password()! };
    expect((await runTrino(url, 'SELECT current_cluster()', auth)).rows).toEqual([['trino-adhoc']]);
    expect(
      (await runTrino(url, 'SELECT current_cluster()', { ...auth, headers: { 'X-Trino-Source': 'airflow' } }))
        .rows,
    ).toEqual([['trino-etl']]);
    const wrong = await fetch(`${url}/api/v1/backends`, {
      headers: { authorization: `Basic ${Buffer.from('tester:wrong').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
  });

  it('stops everything on Ctrl-C, exits 0 and removes its throw-away directory', async () => {
    const dir = /database\s+(\S+)\/switchyard\.db/.exec(out)?.[1];
    expect(dir && existsSync(dir)).toBe(true);
    child.kill('SIGINT');
    expect(await exited()).toBe(0);
    expect(out).toContain('stopping…');
    expect(existsSync(dir!)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
