import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';

interface Line {
  [k: string]: unknown;
}

/** run starts the fixture's primary (the real supervise()) and collects its and its workers' lines. */
function run(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/supervised-fixture.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  const out: Line[] = [];
  let stderr = '';
  let rest = '';
  child.stdout!.on('data', (c: Buffer) => {
    const parts = (rest + c.toString()).split('\n');
    rest = parts.pop()!;
    for (const p of parts) if (p.startsWith('{')) out.push(JSON.parse(p) as Line);
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, stderr: () => stderr, exited };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function until<T>(get: () => T | undefined, what: string, out: Line[]): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(out)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('supervise', () => {
  it('relays peer messages, names one leader, restarts a dead worker and names another, stops on SIGTERM', async () => {
    const { child, out, exited } = run();
    const find = (f: (l: Line) => boolean) => out.find(f);
    // Each worker hears the other's message, never its own.
    const h1 = await until(() => find((l) => l.worker === 1 && 'heardFrom' in l), 'worker 1 hearing', out);
    const h2 = await until(() => find((l) => l.worker === 2 && 'heardFrom' in l), 'worker 2 hearing', out);
    expect([h1.heardFrom, h2.heardFrom]).toEqual([2, 1]);
    const first = await until(() => find((l) => l.leader === true), 'a leader', out);
    expect(out.filter((l) => l.leader === true)).toHaveLength(1);
    // The leader dies: the other worker leads, and the dead one's slot is started again.
    process.kill(first.pid as number, 'SIGKILL');
    const next = await until(
      () => find((l) => l.leader === true && l.pid !== first.pid),
      'a new leader',
      out,
    );
    expect(next.worker).not.toBe(first.worker);
    const restarted = await until(
      () => find((l) => l.ready === true && l.worker === first.worker && l.pid !== first.pid),
      'the restart',
      out,
    );
    expect(restarted).toBeDefined();
    expect(find((l) => l.msg === 'worker exited; restarting it' && l.worker === first.worker)).toMatchObject({
      signal: 'SIGKILL',
      restartInMs: 50,
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(find((l) => 'primaryExit' in l)?.primaryExit).toBe(0);
  }, 90_000);

  it('on a failed start prints the reason once and exits with the worker’s code, restarting nothing', async () => {
    const { out, stderr, exited } = run({ FIXTURE_MODE: 'fail' });
    expect(await exited).toBe(3);
    const reasons = stderr()
      .split('\n')
      .filter((l) => l.startsWith('switchyard: '));
    expect(reasons).toEqual(['switchyard: port 8080 is taken']);
    expect(out.filter((l) => l.msg === 'worker exited; restarting it')).toEqual([]);
  }, 90_000);
});
