import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { freePort, spawnGateway } from '../helpers/start-gateway.js';

/** A start of server.workers: 2 that cannot succeed: one line naming the problem, exit code 2, nothing left running. */
function run(config: object): Promise<{ code: number | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-workers-start-'));
  const file = join(dir, 'gateway.config.yaml');
  writeFileSync(file, stringify({ database: { path: join(dir, 'switchyard.db') }, ...config }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const lines = (text: string) => text.split('\n').filter((l) => l.startsWith('switchyard: '));

describe('a start of several workers that fails', () => {
  it('says once that the port is taken, and exits 2', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = await run({ server: { host: '127.0.0.1', port, workers: 2 }, auth: { mode: 'none' } });
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(lines(r.stderr)[0]).toMatch(/cannot start: .*EADDRINUSE.*another process listens there/);
    } finally {
      busy.close();
    }
  }, 120_000);

  it('names server.workers when it is not a count, before any worker starts', async () => {
    const r = await run({ server: { workers: 'lots' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/server\.workers: a whole number from 1 to 256, or auto/);
    expect(r.stderr).not.toContain('starting worker processes');
  }, 120_000);
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('workers whose primary is killed', () => {
  it('stop rather than serve on unsupervised', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-workers-orphans-'));
    const port = await freePort();
    const gw = await spawnGateway(
      {
        server: { host: '127.0.0.1', port, workers: 2 },
        database: { path: join(dir, 'switchyard.db') },
        auth: { mode: 'none' },
        health: { enabled: false },
      },
      dir,
      60_000,
    );
    const end = Date.now() + 60_000;
    let workers: number[] = [];
    while (workers.length < 2 && Date.now() < end) {
      workers = execFileSync('pgrep', ['-P', String(gw.child.pid), '-f', 'src/main.ts'], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map(Number);
      if (workers.length < 2) await new Promise((r) => setTimeout(r, 200));
    }
    expect(workers).toHaveLength(2);
    await gw.kill('SIGKILL');
    while (workers.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(workers.filter(alive)).toEqual([]);
  }, 120_000);
});
