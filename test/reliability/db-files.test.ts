import { chmodSync, mkdtempSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('files the gateway creates are private', () => {
  it('creates the database directory 0700 and the database, WAL and shared-memory files 0600', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sy-modes-')), 'data');
    const file = join(dir, 'switchyard.db');
    const db = openDatabase(file);
    db.sqlite.exec("INSERT INTO settings (key, value) VALUES ('x', 'y')");
    expect(mode(dir)).toBe(0o700);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      expect(existsSync(f)).toBe(true);
      expect(mode(f)).toBe(0o600);
    }
    expect(db.warnings).toEqual([]);
    db.close();
  });

  it('warns at start about a database file other users can read, and leaves its mode to the operator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-modes-'));
    const file = join(dir, 'switchyard.db');
    new Database(file).close();
    chmodSync(file, 0o644);
    const gw = await startGateway(testConfig([], { database: { path: file }, health: { enabled: false } }));
    try {
      expect(gw.logs()).toMatch(/database file .* has mode 644: other users can read it/);
      expect(mode(file)).toBe(0o644);
    } finally {
      await gw.stop();
    }
  });

  it('generates the catalog seal key file 0600 beside the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-modes-'));
    const gw = await startGateway(
      testConfig([], { database: { path: join(dir, 'db', 'switchyard.db') }, health: { enabled: false } }),
    );
    await gw.stop();
    expect(mode(join(dir, 'db'))).toBe(0o700);
    expect(mode(join(dir, 'db', 'catalog-seal.key'))).toBe(0o600);
  });
});

describe('admin changes and shutdown when the database cannot be written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-full-'));
  const file = join(dir, 'switchyard.db');
  let emu: TrinoEmulator;
  let gw: TestGateway;
  const admin = { authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` };

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1' });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], {
        database: { path: file },
        health: { enabled: false },
        history: { flushIntervalMs: 60_000, durableSubmissions: false },
        auth: { ...(await passwordAuth(['admin', 'pw', ['admin']])), forwardAuthorization: 'never' },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
  });

  it('answers an admin change on a full database with a JSON message, never 500, and changes nothing', async () => {
    const sqlite = gw.services.db!.sqlite;
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`);
    try {
      const add = await fetch(`${gw.url}/api/v1/backends`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'trino-2',
          url: 'http://127.0.0.1:9',
          group: 'adhoc',
          externalUrl: `http://x/${'p'.repeat(6000)}`,
        }),
      });
      expect(add.status).toBe(507);
      expect(((await add.json()) as { message: string }).message).toMatch(
        /disk is full; nothing was changed/,
      );
      expect(gw.services.registry.get('trino-2')).toBeUndefined();
      const off = await fetch(`${gw.url}/api/v1/backends/trino-1/deactivate`, {
        method: 'POST',
        headers: admin,
      });
      expect([200, 507]).toContain(off.status);
      expect(off.headers.get('content-type')).toMatch(/json/);
    } finally {
      sqlite.pragma('max_page_count = 1073741823');
    }
    await fetch(`${gw.url}/api/v1/backends/trino-1/activate`, { method: 'POST', headers: admin });
  });

  it('on stop, writes the queued history rows once a lock held by another process goes', async () => {
    const r = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: admin,
    });
    const body = (await r.json()) as { id: string };
    const { id } = body;
    expect(gw.services.recorder.size()).toBeGreaterThan(0);
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    setTimeout(() => {
      other.exec('ROLLBACK');
      other.close();
    }, 600);
    await gw.stop();
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT state FROM query_history WHERE query_id = ?').get(id)).toEqual({
      state: 'RUNNING',
    });
    check.close();
  });
});
