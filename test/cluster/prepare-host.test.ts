import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareHost } from '../../src/cluster/prepare-host.js';
import { parseConfig } from '../../src/config/load.js';
import { DatabaseError, openDatabase } from '../../src/db/open.js';
import { silentLogger } from '../../src/observability/logger.js';
import { sqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const text = `
server: { port: 8080, publicUrl: http://localhost:8080, workers: 2 }
database: { path: data/gw.db }
groups: [ { name: adhoc } ]
backends: [ { name: one, url: http://127.0.0.1:1, group: adhoc } ]
`;

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'prepare-host-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('prepareHost', () => {
  it('migrates the SQLite file, seeds the declared groups and backends, secrets and the seal key', async () => {
    const cfg = parseConfig(text, { baseDir: dir, env: {} });
    await prepareHost(cfg, silentLogger());
    const keyFile = join(dir, 'data', 'catalog-seal.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8');
    const db = openDatabase(join(dir, 'data', 'gw.db'));
    try {
      const store = sqliteStore(db);
      expect((await store.backends.listGroups()).map((g) => g.name)).toEqual(['adhoc']);
      expect((await store.backends.listBackends()).map((b) => [b.name, b.group])).toEqual([['one', 'adhoc']]);
      const secret = await store.settings.get('console-session-secret');
      expect(secret).toBeTruthy();
      // A second run (a restart of the host) keeps what the first made: workers sign with the same.
      await prepareHost(cfg, silentLogger());
      expect(await store.settings.get('console-session-secret')).toBe(secret);
      expect(readFileSync(keyFile, 'utf8')).toBe(key);
    } finally {
      db.close();
    }
  });

  it('leaves a PostgreSQL store to each process', async () => {
    const cfg = parseConfig(
      text.replace('{ path: data/gw.db }', '{ url: "postgres://nobody@127.0.0.1:1/none" }') +
        `catalogs: { sealKey: "${'k'.repeat(44)}" }\n`,
      { baseDir: dir, env: {} },
    );
    await prepareHost(cfg, silentLogger());
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('throws a DatabaseError naming the file when the file is not a database', async () => {
    mkdirSync(join(dir, 'data'), { mode: 0o700 });
    writeFileSync(join(dir, 'data', 'gw.db'), 'not a database '.repeat(100), { mode: 0o600 });
    const cfg = parseConfig(text, { baseDir: dir, env: {} });
    const err = await prepareHost(cfg, silentLogger()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as Error).message).toContain(join(dir, 'data', 'gw.db'));
  });
});
