import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';

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
