import { passwordAuth, startGateway, testConfig, type TestGateway } from './start-gateway.js';
import { TrinoEmulator } from './trino-emulator/index.js';

export const basic = (user: string, pw: string) => 'Basic ' + Buffer.from(`${user}:${pw}`).toString('base64');
export const ADMIN = basic('ops', 'ops-password');
export const USER = basic('alice', 'alice-password');

export interface AdminAnswer {
  status: number;
  json: any;
  text: string;
}

export interface AdminWorld {
  t1: TrinoEmulator;
  t2: TrinoEmulator;
  t3: TrinoEmulator;
  gw: TestGateway;
  /** call sends a JSON body (or `raw` text) with `auth` (the admin by default) and reads the answer. */
  call(method: string, path: string, body?: unknown, auth?: string, raw?: string): Promise<AdminAnswer>;
  stop(): Promise<void>;
}

/**
 * startAdminWorld starts three emulated clusters and a gateway with t1 and t2 in the adhoc group (t3 is for
 * adding at runtime), an admin (ops) and a user of adhoc (alice), and quick health checks.
 */
export async function startAdminWorld(): Promise<AdminWorld> {
  const [t1, t2, t3] = await Promise.all(['t1', 't2', 't3'].map((name) => TrinoEmulator.start({ name })));
  const gw = await startGateway(
    testConfig(
      [
        { name: 't1', url: t1!.url },
        { name: 't2', url: t2!.url },
      ],
      {
        auth: await passwordAuth(
          ['ops', 'ops-password', ['admin']],
          ['alice', 'alice-password', ['user'], ['adhoc']],
        ),
        health: { intervalSeconds: 0.2, timeoutSeconds: 0.5, healthyThreshold: 1, unhealthyThreshold: 1 },
      },
    ),
  );
  const call = async (method: string, path: string, body?: unknown, auth = ADMIN, raw?: string) => {
    const res = await fetch(gw.url + path, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, json, text };
  };
  return {
    t1: t1!,
    t2: t2!,
    t3: t3!,
    gw,
    call,
    async stop() {
      await gw.stop();
      await Promise.all([t1, t2, t3].map((t) => t?.stop()));
    },
  };
}

/** waitFor polls cond until it holds, with a generous deadline for a loaded machine. */
export async function waitFor(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
