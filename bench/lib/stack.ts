/**
 * The processes of workloads (c)–(e): an emulator, the bare node:http forwarder and Switchyard (with its
 * runtime flags and an IPC channel for bench/lib/gateway-stats.ts), each in its own process.
 */
import type { ChildProcess } from 'node:child_process';
import { freePort, GATEWAY_FLAGS, start, tsx } from './procs.js';

export interface Stack {
  /** [name, base URL, pid of the proxy process (none for direct)] */
  targets: Array<[string, string, number | undefined]>;
  emulator: ChildProcess;
  gateway: ChildProcess;
}

/**
 * startStack: `emulator` is the argument list after tsx (bench/lib/emulator-child.ts or
 * test/helpers/emulator-cli.ts with its flags; PORT is replaced by its port). `env` is the gateway's.
 */
export async function startStack(emulator: string[], env: Record<string, string> = {}): Promise<Stack> {
  const [emu, fwd, gw] = [await freePort(), await freePort(), await freePort()];
  const emuChild = await start(
    [...tsx, ...emulator.map((a) => (a === 'PORT' ? String(emu) : a))],
    /listening/,
  );
  const upstream = `http://127.0.0.1:${emu}`;
  const forwarder = await start([...tsx, 'bench/lib/forwarder.ts', String(fwd), upstream], /ready/);
  const gateway = await start(
    [
      ...(process.env.BENCH_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
        : []),
      ...GATEWAY_FLAGS,
      ...tsx,
      'bench/lib/gateway-child.ts',
      String(gw),
      upstream,
    ],
    /ready/,
    process.execPath,
    true,
    env,
  );
  return {
    targets: [
      ['direct', upstream, undefined],
      ['node:http', `http://127.0.0.1:${fwd}`, forwarder.pid],
      ['switchyard', `http://127.0.0.1:${gw}`, gateway.pid],
    ],
    emulator: emuChild,
    gateway,
  };
}

/** stopGateway ends the gateway normally (so `--cpu-prof` writes its profile) and waits for it. */
export async function stopGateway(gateway: ChildProcess): Promise<void> {
  if (gateway.exitCode !== null) return;
  const exited = new Promise((r) => gateway.once('exit', r));
  gateway.kill('SIGTERM');
  await exited;
}

/** median of a list of numbers. */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
