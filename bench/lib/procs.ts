/**
 * Child processes of a benchmark run: free loopback ports, children started and waited for (all killed
 * when the run ends), and a process's CPU time and memory read from /proc (Linux; undefined elsewhere).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

export const children: ChildProcess[] = [];
export const tsx = ['--import', 'tsx'];
/** The runtime flags `npm start` and the Dockerfile run Switchyard with (README, "Runtime flags"). */
export const GATEWAY_FLAGS = [
  '--no-memory-reducer',
  '--min-semi-space-size=16',
  '--no-concurrent-array-buffer-sweeping',
];

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * start spawns a child (with an IPC channel when `ipc`, `env` added to ours) and resolves once its stdout
 * matches marker.
 */
export function start(
  args: string[],
  marker: RegExp,
  cmd = process.execPath,
  ipc = false,
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'inherit', ...(ipc ? ['ipc' as const] : [])],
    env: { ...process.env, ...env },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      if (marker.test(out)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

export function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * cpuSeconds reads a process's user + system CPU time from /proc. Per request it is a steadier measure
 * of a proxy's cost than throughput, which the load generator and the emulator share the two cores with.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
}

/** rssBytes is a process's resident set (VmRSS) now. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** openFds counts a process's open file descriptors. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** loadAverage is the machine's 1-minute load average (others' work shares the cores). */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
}
