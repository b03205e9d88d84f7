import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicAuth, Trino } from 'trino-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRequest, RetryingQuery } from '../helpers/retrying-client.js';
import {
  freePort,
  passwordAuth,
  spawnGateway,
  testConfig,
  type GatewayProcess,
} from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

/**
 * server.workers: 2 on one SQLite file, through the public surface: the real gateway process (a primary
 * and two node:cluster workers), the Trino emulator, requests on fresh connections (which the cluster
 * hands to the workers in turn) and trino-client.
 */

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const ALICE = basic('alice', 'alice-pw-123');
const ADMIN = basic('admin', 'admin-pw-123');

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** workerPids lists the primary's worker processes (not tsx's esbuild service beside them). */
function workerPids(primary: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(primary), '-f', 'src/main.ts'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('server.workers: 2 on one SQLite file', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: GatewayProcess;
  const dir = mkdtempSync(join(tmpdir(), 'sy-workers-'));

  beforeAll(async () => {
    a = await TrinoEmulator.start({ name: 'trino-1', rowsPerPage: 10 });
    b = await TrinoEmulator.start({ name: 'trino-2', rowsPerPage: 10 });
    const port = await freePort();
    const auth = await passwordAuth(['alice', 'alice-pw-123'], ['admin', 'admin-pw-123', ['admin']]);
    const config = testConfig(
      [
        { name: 'trino-1', url: a.url },
        { name: 'trino-2', url: b.url },
      ],
      {
        server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}`, workers: 2 },
        database: { path: join(dir, 'switchyard.db') },
        log: { level: 'info' },
        auth: { ...auth, lockout: { maxFailures: 4, windowSeconds: 600, blockSeconds: 600 } },
        health: { intervalSeconds: 1, probe: 'info+stats' },
      },
    );
    gw = await spawnGateway(config, dir, 60_000);
    await until('both workers listening', async () =>
      count(gw.output(), '"msg":"switchyard listening"') >= 2 ? true : undefined,
    );
  }, 90_000);
  afterAll(async () => {
    await gw?.kill('SIGKILL');
    for (const pid of workerPids(gw?.child.pid ?? 0)) process.kill(pid, 'SIGKILL');
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('ran the start-up steps once: one migration, one seal key, one leader', () => {
    const out = gw.output();
    expect(count(out, 'NO CATALOG SEAL KEY CONFIGURED')).toBe(1);
    expect(count(out, 'worker leads the once-per-host loops')).toBe(1);
    expect(out).not.toMatch(/cannot migrate|SQLITE_BUSY/);
  });

  it('polls each cluster for its load from one worker only, while both probe its health', async () => {
    b.clearRequests();
    const count = (path: string) => b.requests.filter((r) => r.url === path).length;
    await until('a few health rounds', async () => (count('/v1/info') >= 12 ? true : undefined));
    // Both workers probe /v1/info each round; only the leader reads /ui/api/stats (once per round).
    expect(count('/ui/api/stats')).toBeLessThanOrEqual(count('/v1/info') / 2 + 2);
    expect(count('/ui/api/stats')).toBeGreaterThan(0);
  });

  it('serves every follow-up whichever worker gets it', async () => {
    const queries = await Promise.all(
      Array.from({ length: 12 }, () =>
        RetryingQuery.submit(gw.url, 'SELECT * FROM UNNEST(sequence(1, 45))', ALICE).then((q) => q.finish()),
      ),
    );
    for (const q of queries) {
      expect(q.rows.map((r) => r[0])).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
      expect(q.state).toBe('FINISHED');
    }
    // Keep-alive connections stay on one worker: trino-client's queries go through both as well.
    const trino = Trino.create({ server: gw.url, auth: new BasicAuth('alice', 'alice-pw-123') });
    const rows = await Promise.all(
      Array.from({ length: 6 }, async () => {
        let n = 0;
        for await (const page of await trino.query('SELECT * FROM UNNEST(sequence(1, 25))'))
          n += page.data?.length ?? 0;
        return n;
      }),
    );
    expect(rows).toEqual([25, 25, 25, 25, 25, 25]);
    // Both workers finished some of them: the polls were spread, and each was served.
    const finishedBy = new Set(
      [...gw.output().matchAll(/"worker":(\d+)[^\n]*"msg":"query finished"/g)].map((m) => m[1]),
    );
    expect(finishedBy).toEqual(new Set(['1', '2']));
  });

  it('answers /metrics for the whole host, whichever worker gets the scrape', async () => {
    const routed = async () => {
      const r = await freshRequest(`${gw.url}/metrics`);
      expect(r.status).toBe(200);
      return [...r.body.matchAll(/^switchyard_routing_queries_total\{[^}]*\} (\d+)$/gm)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
    };
    const before = await routed();
    const qs = await Promise.all(
      Array.from({ length: 10 }, () =>
        RetryingQuery.submit(gw.url, 'SELECT 1', ALICE).then((q) => q.finish()),
      ),
    );
    expect(qs.every((q) => q.state === 'FINISHED')).toBe(true);
    // Fresh connections alternate between the workers: six scrapes reach both, and each counts all ten.
    const after: number[] = [];
    for (let i = 0; i < 6; i++) after.push(await routed());
    expect(after).toEqual(Array.from({ length: 6 }, () => before + 10));
  });

  it('keeps a query finished by another worker FINISHED in the history', async () => {
    const q = await (
      await RetryingQuery.submit(gw.url, 'SELECT * FROM UNNEST(sequence(1, 30))', ALICE)
    ).finish();
    const row = await until('the history row', async () => {
      const r = await freshRequest(`${gw.url}/api/v1/queries/${q.id}`, { headers: ADMIN });
      const body = r.status === 200 ? (JSON.parse(r.body) as { state?: string }) : undefined;
      return body?.state === 'RUNNING' ? undefined : body;
    });
    expect(row.state).toBe('FINISHED');
  });

  it('steers every worker after an admin change made through one', async () => {
    const r = await freshRequest(`${gw.url}/api/v1/backends/trino-1/deactivate`, {
      method: 'POST',
      headers: ADMIN,
    });
    expect(r.status).toBe(200);
    const since = Date.now();
    // Fresh connections alternate between the workers: eight answers in a row cover both.
    await until('every worker to see trino-1 inactive', async () => {
      for (let i = 0; i < 8; i++) {
        const list = await freshRequest(`${gw.url}/api/v1/backends`, { headers: ADMIN });
        const b1 = (JSON.parse(list.body) as Array<{ name: string; active: boolean }>).find(
          (x) => x.name === 'trino-1',
        );
        if (b1?.active !== false) return undefined;
      }
      return true;
    });
    process.stdout.write(`deactivation seen by every worker after ≤ ${Date.now() - since} ms\n`);
    const qs = await Promise.all(
      Array.from({ length: 8 }, () =>
        RetryingQuery.submit(gw.url, 'SELECT 1', ALICE).then((q) => q.finish()),
      ),
    );
    expect(qs.every((q) => q.state === 'FINISHED')).toBe(true);
    expect(qs.filter((q) => a.query(q.id) !== undefined)).toEqual([]);
    const back = await freshRequest(`${gw.url}/api/v1/backends/trino-1/activate`, {
      method: 'POST',
      headers: ADMIN,
    });
    expect(back.status).toBe(200);
  });

  it('lets a user added through one worker sign in on every worker', async () => {
    const r = await freshRequest(`${gw.url}/api/v1/users`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'carol', password: 'carol-pw-1234', groups: ['*'], roles: ['user'] }),
    });
    expect(r.status).toBe(201);
    const carol = basic('carol', 'carol-pw-1234');
    await until('carol known to every worker', async () => {
      for (let i = 0; i < 6; i++) {
        const q = await RetryingQuery.submit(gw.url, 'SELECT 1', carol).catch(() => undefined);
        if (!q) return undefined;
        await q.finish();
      }
      return true;
    });
  });

  it('counts failed logins on every worker together', async () => {
    const wrong = basic('alice', 'not-her-password');
    const attempt = async () =>
      (await freshRequest(`${gw.url}/v1/statement`, { method: 'POST', headers: wrong, body: 'SELECT 1' }))
        .status;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push(await attempt());
    // Four failures spread over both workers block the pair on both, though each saw only some of them.
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429, 429]);
  });

  it('delivers every row to clients that retry polls when a worker is killed mid-query', async () => {
    const queries = await Promise.all(
      Array.from({ length: 16 }, () =>
        RetryingQuery.submit(gw.url, 'SELECT * FROM UNNEST(sequence(1, 80))', ALICE),
      ),
    );
    await Promise.all(queries.map((q) => q.poll()));
    const pids = workerPids(gw.child.pid!);
    expect(pids).toHaveLength(2);
    // Killed while the clients poll: some polls are on the killed worker's connections then.
    const finished = Promise.all(queries.map((q) => q.finish()));
    await until('polling under way', async () =>
      queries.some((q) => q.rows.length >= 30) ? true : undefined,
    );
    process.kill(pids[0], 'SIGKILL');
    await finished;
    for (const q of queries)
      expect(q.rows.map((r) => r[0])).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    process.stdout.write(`polls retried after the kill: ${queries.reduce((n, q) => n + q.retries, 0)}\n`);
    // The primary restarts the killed worker, and the host serves on two workers again.
    await until('a restarted worker', async () => {
      const now = workerPids(gw.child.pid!);
      return now.length === 2 && !now.includes(pids[0]) ? true : undefined;
    });
    expect(gw.output()).toContain('worker exited; restarting it');
    await until('the restarted worker listening', async () =>
      count(gw.output(), '"msg":"switchyard listening"') >= 3 ? true : undefined,
    );
    const again = await (await RetryingQuery.submit(gw.url, 'SELECT 1', ALICE)).finish();
    expect(again.state).toBe('FINISHED');
  }, 120_000);

  it('stops every worker and exits 0 on SIGTERM', async () => {
    const pids = workerPids(gw.child.pid!);
    expect(await gw.kill('SIGTERM')).toBe(0);
    expect(pids.filter((p) => workerPids(gw.child.pid!).includes(p))).toEqual([]);
    expect(gw.output()).toContain('stopping the workers');
  });
});
