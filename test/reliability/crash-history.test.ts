import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { freePort, spawnGateway, testConfig, type GatewayProcess } from '../helpers/start-gateway.js';

const CLIENTS = 24;

interface Page {
  id?: string;
  nextUri?: string;
  stats?: { state?: string };
}

/** One client as StatementClientV1 behaves: submit, then follow nextUri; after an error, retry the same URI. */
class Client {
  readonly answered: string[] = [];
  readonly finished: string[] = [];
  private next: string | undefined;
  constructor(private readonly user: string) {}

  /** run queries until `stop()` is true; a failed request leaves `next` in place for resume(). */
  async run(base: () => string, stop: () => boolean): Promise<void> {
    while (!stop()) {
      try {
        if (!this.next) {
          const r = await fetch(`${base()}/v1/statement`, {
            method: 'POST',
            body: 'SELECT * FROM UNNEST(sequence(1, 40))',
            headers: { 'X-Trino-User': this.user },
          });
          const p = (await r.json()) as Page;
          this.answered.push(p.id!);
          this.follow(p);
        } else {
          const r = await fetch(this.next, { headers: { 'X-Trino-User': this.user } });
          if (r.status !== 200) throw new Error(`poll ${r.status}`);
          this.follow((await r.json()) as Page);
        }
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** resume polls the query that was cut off until it ends. */
  async resume(): Promise<void> {
    for (let i = 0; this.next && i < 400; i++) {
      try {
        const r = await fetch(this.next, { headers: { 'X-Trino-User': this.user } });
        if (r.status === 200) this.follow((await r.json()) as Page);
        else await new Promise((res) => setTimeout(res, 50));
      } catch {
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  }

  private follow(p: Page): void {
    this.next = p.nextUri;
    if (!p.nextUri && p.stats?.state === 'FINISHED') this.finished.push(p.id!);
  }
}

describe('a gateway killed with SIGKILL under load loses no history', () => {
  let emu: TrinoEmulator;
  let gw: GatewayProcess | undefined;
  let config: Record<string, unknown>;
  const dir = mkdtempSync(join(tmpdir(), 'sy-crash-'));
  const dbPath = join(dir, 'switchyard.db');

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1', rowsPerPage: 10, queuedPages: 2 });
    const port = await freePort();
    config = testConfig([{ name: 'trino-1', url: emu.url }], {
      server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
      database: { path: dbPath },
      // A long batch interval: without durable submissions, rows of answered queries would be lost.
      history: { flushIntervalMs: 5000 },
      log: { level: 'info' },
    });
    gw = await spawnGateway(config, dir);
  });
  afterAll(async () => {
    if (gw && gw.child.exitCode === null && gw.child.signalCode === null) await gw.kill('SIGKILL');
    await emu?.stop();
  });

  it('keeps a row for every answered submission, and repairs rows left RUNNING from what the cluster says', async () => {
    const clients = Array.from({ length: CLIENTS }, (_, i) => new Client(`user${i}`));
    let stop = false;
    const running = clients.map((c) =>
      c.run(
        () => gw!.url,
        () => stop,
      ),
    );
    await new Promise((r) => setTimeout(r, 5000));
    await gw!.kill('SIGKILL');
    stop = true;
    await Promise.all(running);
    const answered = clients.flatMap((c) => c.answered);
    const seenFinished = clients.flatMap((c) => c.finished);
    expect(answered.length).toBeGreaterThanOrEqual(CLIENTS);

    // A row the cluster never heard of, left RUNNING by the dead gateway.
    const db = new Database(dbPath);
    db.prepare(
      `INSERT INTO query_history (query_id, user, routing_group, backend, sql, submitted_at, state)
       VALUES ('20200101_000000_00000_zzzzz', 'ghost', 'adhoc', 'trino-1', 'SELECT 1', ?, 'RUNNING')`,
    ).run(Date.now() - 60_000);
    db.close();

    gw = await spawnGateway(config, dir);
    await Promise.all(clients.map((c) => c.resume()));
    await gw.kill('SIGTERM');

    const check = new Database(dbPath, { readonly: true });
    const rows = new Map(
      (
        check.prepare('SELECT query_id AS id, state FROM query_history').all() as Array<{
          id: string;
          state: string;
        }>
      ).map((r) => [r.id, r.state]),
    );
    check.close();
    const missing = answered.filter((id) => !rows.has(id));
    expect(missing).toEqual([]);
    expect([...rows.values()].filter((s) => s === 'RUNNING')).toEqual([]);
    for (const id of seenFinished) expect(rows.get(id)).toBe('FINISHED');
    expect(rows.get('20200101_000000_00000_zzzzz')).toBe('LOST');
  }, 60_000);
});
