import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BasicAuth, Trino } from 'trino-client';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { freePort, spawnGateway, testConfig, type GatewayProcess } from '../helpers/start-gateway.js';

/** Queries in flight when the gateway is killed (the reliability issue asks for 50). */
const QUERIES = 50;

describe('a gateway killed with SIGKILL mid-query', () => {
  let a: TrinoEmulator;
  let b: TrinoEmulator;
  let gw: GatewayProcess | undefined;
  let config: Record<string, unknown>;
  const dir = mkdtempSync(join(tmpdir(), 'sy-restart-'));

  beforeAll(async () => {
    a = await TrinoEmulator.start({ name: 'trino-1', rowsPerPage: 10 });
    b = await TrinoEmulator.start({ name: 'trino-2', rowsPerPage: 10 });
    const port = await freePort();
    config = testConfig(
      [
        { name: 'trino-1', url: a.url },
        { name: 'trino-2', url: b.url },
      ],
      {
        server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
        database: { path: join(dir, 'switchyard.db') },
        log: { level: 'info' },
      },
    );
    gw = await spawnGateway(config, dir);
  });
  afterAll(async () => {
    await gw?.kill('SIGKILL');
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('lets every client finish its query after a restart, on the cluster that owns it', async () => {
    const trino = Trino.create({ server: gw!.url, auth: new BasicAuth('alice') });
    const iters = await Promise.all(
      Array.from({ length: QUERIES }, () => trino.query('SELECT * FROM UNNEST(sequence(1, 60))')),
    );
    const firsts = await Promise.all(iters.map((it) => it.next()));
    const ids = firsts.map((f) => f.value.id as string);

    // A raw poll by query id only (no handle): the restarted gateway must find it in SQLite.
    // Trino's QueryResource needs a user, as every non-PUBLIC resource does.
    const asAlice = { headers: { 'X-Trino-User': 'alice' } };
    const byIdBefore = await fetch(`${gw!.url}/v1/query/${ids[0]}`, asAlice);
    expect(byIdBefore.status).toBe(200);

    await gw!.kill('SIGKILL');
    gw = await spawnGateway(config, dir);

    const rows = await Promise.all(
      iters.map(async (it, i) => {
        let n = firsts[i].value.data?.length ?? 0;
        for await (const page of it) n += page.data?.length ?? 0;
        return n;
      }),
    );
    expect(rows).toEqual(Array(QUERIES).fill(60));
    for (const id of ids) {
      const owners = [a, b].filter((c) => c.requests.some((r) => r.url.includes(id)));
      expect(owners).toHaveLength(1);
    }
    const byIdAfter = await fetch(`${gw!.url}/v1/query/${ids[0]}`, asAlice);
    expect(byIdAfter.status).toBe(200);
  });

  it('on SIGTERM finishes the request in flight, flushes history and exits 0', async () => {
    const res = await fetch(`${gw!.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { 'X-Trino-User': 'bob' },
    });
    expect(res.status).toBe(200);
    const { id, nextUri } = (await res.json()) as { id: string; nextUri: string };
    a.setDelay(700);
    b.setDelay(700);
    const seen = () => [a, b].reduce((n, c) => n + c.requests.filter((r) => r.url.includes(id)).length, 0);
    const before = seen();
    const slowPoll = fetch(nextUri, { headers: { 'X-Trino-User': 'bob' } });
    // The poll has reached the cluster (which holds its answer for 700 ms) before the gateway is told to stop.
    for (const until = Date.now() + 10_000; seen() === before && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 10));
    expect(seen()).toBe(before + 1);
    const exited = gw!.kill('SIGTERM');
    const polled = await slowPoll;
    expect(polled.status).toBe(200);
    expect(((await polled.json()) as { id: string }).id).toMatch(/^\d{8}_\d{6}_\d{5}_\w{5}$/);
    expect(await exited).toBe(0);
    a.setDelay(0);
    b.setDelay(0);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'switchyard.db'), { readonly: true });
    const row = db.prepare("SELECT user FROM query_history WHERE user = 'bob'").get() as
      { user: string } | undefined;
    db.close();
    expect(row?.user).toBe('bob');
    gw = undefined;
  });
});
