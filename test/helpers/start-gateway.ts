import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { hashPassword } from '../../src/auth/password-hash.js';
import { parseConfig } from '../../src/config/load.js';
import type { Services } from '../../src/compose/services.js';
import { openGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';

export interface TestGateway {
  gateway: Gateway;
  /** The gateway's services, as buildServices made them. */
  services: Services;
  url: string;
  /** Every log line the gateway wrote, as text. */
  logs: () => string;
  stop: () => Promise<void>;
}

export type ConfigObject = Record<string, unknown>;

/** passwordAuth is an `auth` config section with Basic users (`[name, password, roles?, groups?]`), hashed. */
export async function passwordAuth(
  ...users: Array<[name: string, password: string, roles?: string[], groups?: string[]]>
): Promise<ConfigObject> {
  return {
    mode: 'password',
    users: await Promise.all(
      users.map(async ([name, password, roles = ['user'], groups = ['*']]) => ({
        name,
        passwordHash: await hashPassword(password),
        roles,
        groups,
      })),
    ),
  };
}

/** testConfig builds a config object for backends in the default group 'adhoc' unless told otherwise. */
export function testConfig(
  backends: Array<{ name: string; url: string; group?: string; [k: string]: unknown }>,
  extra: ConfigObject = {},
): ConfigObject {
  const groups = new Set(['adhoc', ...backends.map((b) => b.group ?? 'adhoc')]);
  return {
    server: { host: '127.0.0.1', port: 0, publicUrl: 'http://127.0.0.1:0' },
    database: { path: ':memory:' },
    routing: { defaultGroup: 'adhoc', rulesDir: join(process.cwd(), 'rules') },
    groups: [...groups].map((name) => ({ name })),
    backends: backends.map((b) => ({ group: 'adhoc', ...b })),
    log: { level: 'debug' },
    auth: { mode: 'none' },
    ...extra,
  };
}

/**
 * startGateway starts an in-process gateway on an ephemeral port. publicUrl is fixed up to the bound
 * port by binding first on a probe server: the gateway is started with port 0, then restarted with
 * the real public URL in its config so rewritten URLs point back at it.
 */
export async function startGateway(config: ConfigObject): Promise<TestGateway> {
  const port = await freePort();
  const scheme = (config.server as ConfigObject | undefined)?.tls ? 'https' : 'http';
  const server = { ...(config.server as ConfigObject), port, publicUrl: `${scheme}://127.0.0.1:${port}` };
  const cfg = parseConfig(stringify({ ...config, server: { ...server, ...pickPublic(config) } }), {
    baseDir: process.cwd(),
  });
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  const gateway = await openGateway(cfg, {
    logger: createLogger({ level: cfg.log.level, destination: sink }),
    metrics: new Metrics(),
  });
  return {
    gateway,
    services: gateway.services,
    url: cfg.server.publicUrl,
    logs: () => logText,
    stop: () => gateway.stop(1000),
  };
}

function pickPublic(config: ConfigObject): ConfigObject {
  const s = config.server as ConfigObject | undefined;
  return s && typeof s.publicUrl === 'string' && !s.publicUrl.endsWith(':0')
    ? { publicUrl: s.publicUrl }
    : {};
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as import('node:net').AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  kill: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * spawnGateway runs `src/main.ts` in a child process (for SIGKILL/SIGTERM tests) and waits until it listens.
 * The port was free when the test chose it, but on a busy machine the kernel may hand it to some
 * client's outgoing connection meanwhile (it lies in the ephemeral range): a start refused with
 * EADDRINUSE is tried again on the same port, a few times, before it counts as a failure.
 */
export async function spawnGateway(
  config: ConfigObject,
  dir = mkdtempSync(join(tmpdir(), 'sy-')),
  /** How long a start may take before it counts as failed. Default 20 s. */
  startTimeoutMs = 20_000,
): Promise<GatewayProcess> {
  for (let tries = 1; ; tries++) {
    try {
      return await spawnOnce(config, dir, startTimeoutMs);
    } catch (e) {
      if (tries >= 5 || !/EADDRINUSE/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function spawnOnce(config: ConfigObject, dir: string, startTimeoutMs: number): Promise<GatewayProcess> {
  const file = join(dir, 'gateway.config.yaml');
  writeFileSync(file, stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const server = config.server as { port: number };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start:\n${out}`));
    }, startTimeoutMs);
    const check = async () => {
      // Ready, not just live: start() has finished, the first health round included, so the first query
      // does not race the probes (a backend still UNKNOWN takes no query).
      const up = await fetch(`http://127.0.0.1:${server.port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) {
        clearTimeout(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`gateway exited ${child.exitCode}:\n${out}`));
      } else setTimeout(() => void check(), 50);
    };
    void check();
  });
  return {
    child,
    url: `http://127.0.0.1:${server.port}`,
    output: () => out,
    kill: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}
