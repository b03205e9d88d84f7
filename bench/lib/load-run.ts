/** Runs the closed-loop load generator (bench/lib/load.ts) in its own process and reads its result. */
import { spawnSync } from 'node:child_process';
import { tsx } from './procs.js';

export interface Result {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  mbps: number;
  /** CPU time the target's own process spent per request (user + system), when it could be read. */
  cpuUs?: number;
}

/** load: `connections` keep-alive connections GET url back to back for `seconds` (gzip: ask for it). */
export function load(
  url: string,
  connections: number,
  seconds: number,
  authorization?: string,
  gzip = false,
): Promise<Result> {
  const r = spawnSync(
    process.execPath,
    [
      ...tsx,
      'bench/lib/load.ts',
      url,
      String(connections),
      String(seconds),
      ...(authorization ? [authorization] : []),
    ],
    { encoding: 'utf8', env: { ...process.env, LOAD_GZIP: gzip ? '1' : '0' } },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return Promise.resolve(JSON.parse(r.stdout.trim().split('\n').pop()!));
}
