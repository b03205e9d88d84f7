import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { freePort, spawnGateway, testConfig, type GatewayProcess } from '../helpers/start-gateway.js';

interface Drained {
  id: string;
  state?: string;
  error?: { errorName?: string };
  started?: string;
  cleared?: string;
}

describe('transaction affinity across a gateway restart', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: GatewayProcess | undefined;
  let config: Record<string, unknown>;
  const dir = mkdtempSync(join(tmpdir(), 'sy-restart-txn-'));

  beforeAll(async () => {
    a = await TrinoEmulator.start({ name: 'trino-1' });
    b = await TrinoEmulator.start({ name: 'trino-2' });
    const port = await freePort();
    config = testConfig(
      [
        { name: 'trino-1', url: a.url },
        { name: 'trino-2', url: b.url },
      ],
      {
        server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
        database: { path: join(dir, 'switchyard.db') },
        // Round-robin over two always-available backends: statements without affinity alternate.
        groups: [{ name: 'adhoc', policy: 'round-robin' }],
        health: { enabled: false },
        log: { level: 'info' },
      },
    );
    gw = await spawnGateway(config, dir);
  });
  afterAll(async () => {
    await gw?.kill('SIGKILL');
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const post = (sql: string, headers: Record<string, string> = {}) =>
    fetch(`${gw!.url}/v1/statement`, {
      method: 'POST',
      body: sql,
      headers: { 'X-Trino-User': 'alice', ...headers },
    });

  /** run submits a statement and follows nextUri to the end, collecting the transaction headers. */
  async function run(sql: string, headers: Record<string, string> = {}): Promise<Drained> {
    let res = await post(sql, headers);
    expect(res.status).toBe(200);
    const out: Partial<Drained> = {};
    for (;;) {
      out.started ??= res.headers.get('x-trino-started-transaction-id') ?? undefined;
      out.cleared ??= res.headers.get('x-trino-clear-transaction-id') ?? undefined;
      const page = (await res.json()) as {
        id: string;
        nextUri?: string;
        stats?: { state?: string };
        error?: { errorName?: string };
      };
      out.id = page.id;
      out.state = page.stats?.state;
      out.error ??= page.error;
      if (!page.nextUri) return out as Drained;
      res = await fetch(page.nextUri, { headers: { 'X-Trino-User': 'alice' } });
      expect(res.status).toBe(200);
    }
  }

  const ownerOf = (queryId: string) => [a, b].filter((c) => c.queries.has(queryId));

  async function restart(): Promise<void> {
    await gw!.kill('SIGKILL');
    gw = await spawnGateway(config, dir);
  }

  it('sends every statement of a transaction started before a SIGKILL to the backend that started it', async () => {
    const start = await run('START TRANSACTION');
    expect(start.error).toBeUndefined();
    expect(start.started).toBeTruthy();
    const txn = start.started!;
    const starters = ownerOf(start.id);
    expect(starters).toHaveLength(1);
    const owner = starters[0];
    const other = owner === a ? b : a;

    await restart();

    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await run('SELECT 1', { 'X-Trino-Transaction-Id': txn });
      // The other cluster does not know the transaction: a statement sent there would fail.
      expect(r.error).toBeUndefined();
      expect(r.state).toBe('FINISHED');
      ids.push(r.id);
    }
    for (const id of ids) {
      expect(owner.queries.has(id)).toBe(true);
      expect(owner.queries.get(id)!.headers['x-trino-transaction-id']).toBe(txn);
      expect(other.queries.has(id)).toBe(false);
    }

    const commit = await run('COMMIT', { 'X-Trino-Transaction-Id': txn });
    expect(commit.error).toBeUndefined();
    expect(commit.cleared).toBe(txn);
    expect(owner.queries.has(commit.id)).toBe(true);

    // Committed: the gateway forgot the transaction, and still does after another restart.
    // Its statements fail as Trino fails them (HTTP 200, the error in the results).
    const after = await run('SELECT 1', { 'X-Trino-Transaction-Id': txn });
    expect(after.error).toMatchObject({ errorName: 'UNKNOWN_TRANSACTION' });
    await restart();
    const afterRestart = await run('SELECT 1', { 'X-Trino-Transaction-Id': txn });
    expect(afterRestart.error).toMatchObject({ errorName: 'UNKNOWN_TRANSACTION' });

    // Without the header, statements are free again: two in a row land on both backends.
    const free = [await run('SELECT 1'), await run('SELECT 1')];
    const landed = free.map((r) => ownerOf(r.id).map((c) => c.name));
    expect(landed.flat().sort()).toEqual(['trino-1', 'trino-2']);
  });

  it('fails a statement of a transaction id it never saw as Trino does, before and after a restart', async () => {
    const unknown = '9f1c3c2e-0000-4000-8000-000000000000';
    a.clearRequests();
    b.clearRequests();
    for (let i = 0; i < 2; i++) {
      const failed = await run('SELECT 1', { 'X-Trino-Transaction-Id': unknown });
      expect(failed.state).toBe('FAILED');
      expect(failed.error).toMatchObject({ errorName: 'UNKNOWN_TRANSACTION' });
      if (i === 0) await restart();
    }
    expect([...a.requests, ...b.requests].filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});
