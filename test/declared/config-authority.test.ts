import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import {
  freePort,
  passwordAuth,
  spawnGateway,
  startGateway,
  type ConfigObject,
  type GatewayProcess,
  type TestGateway,
} from '../helpers/start-gateway.js';

/**
 * configAuthority: who owns the groups and backends the config file declares. Through the public surface:
 * gateways on a database file, their log, the admin API, a reload and SIGHUP.
 */

const ADMIN = { authorization: 'Basic ' + Buffer.from('ops:ops-password').toString('base64') };
// Nothing listens there: the backends stay unhealthy, which these tests do not mind.
const URL_A = 'http://127.0.0.1:9';
const URL_B = 'http://127.0.0.2:9';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('configAuthority', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'sy-authority-'));
  let running: TestGateway[] = [];
  afterEach(async () => {
    await Promise.all(running.map((g) => g.stop()));
    running = [];
  });

  const config = async (db: string, extra: ConfigObject): Promise<ConfigObject> => ({
    server: { host: '127.0.0.1', port: 0 },
    database: { path: db },
    routing: { defaultGroup: 'adhoc' },
    groups: [{ name: 'adhoc' }, { name: 'etl', policy: 'round-robin' }],
    backends: [
      { name: 'trino-1', url: URL_A, group: 'adhoc' },
      { name: 'trino-2', url: URL_A, group: 'etl' },
    ],
    auth: await passwordAuth(['ops', 'ops-password', ['admin']]),
    log: { level: 'info' },
    ...extra,
  });
  const start = async (c: ConfigObject) => {
    const g = await startGateway(c);
    running.push(g);
    return g;
  };
  const call = async (g: TestGateway, method: string, path: string, body?: unknown) => {
    const r = await fetch(g.url + path, {
      method,
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json().catch(() => undefined)) as any };
  };

  it('seed: warns once, naming each difference, when the file and the database disagree', async () => {
    const db = join(dir(), 'switchyard.db');
    const first = await start(await config(db, {}));
    expect((await call(first, 'DELETE', '/api/v1/backends/trino-2')).status).toBe(200);
    await first.stop();
    running = [];
    const edited = await config(db, {
      groups: [
        { name: 'adhoc', policy: 'random' },
        { name: 'etl', policy: 'round-robin' },
      ],
      backends: [
        { name: 'trino-1', url: URL_B, group: 'adhoc', weight: 3 },
        { name: 'trino-2', url: URL_A, group: 'etl' },
      ],
    });
    const again = await start(edited);
    const warnings = again
      .logs()
      .split('\n')
      .filter((l) => l.includes('the config file and the database disagree'));
    expect(warnings).toHaveLength(1);
    const w = warnings[0];
    expect(w).toContain('groups[0] (adhoc).policy: file \\"random\\", database \\"least-loaded\\"');
    expect(w).toContain(`backends[0] (trino-1).url: file \\"${URL_B}\\", database \\"${URL_A}\\"`);
    expect(w).toContain('backends[0] (trino-1).weight: file 3, database 1');
    expect(w).toContain('backends[1] (trino-2): deleted through the admin API, still in the file');
    // The database still wins in seed mode.
    expect(again.services.registry.get('trino-1')?.url).toBe(URL_A);
    expect(again.services.registry.get('trino-2')).toBeUndefined();
  });

  it('seed: no warning when the two agree', async () => {
    const db = join(dir(), 'switchyard.db');
    await (await start(await config(db, {}))).stop();
    running = [];
    const again = await start(await config(db, {}));
    expect(again.logs()).not.toContain('disagree');
  });

  it('file: the file wins at start and the API refuses its entries with 409', async () => {
    const db = join(dir(), 'switchyard.db');
    const first = await start(await config(db, {}));
    expect((await call(first, 'POST', '/api/v1/backends/trino-1/deactivate')).status).toBe(200);
    await first.stop();
    running = [];
    const g = await start(await config(db, { configAuthority: 'file' }));
    expect(g.services.registry.get('trino-1')?.active).toBe(true);
    for (const [method, path, body] of [
      ['POST', '/api/v1/backends/trino-1/deactivate'],
      ['DELETE', '/api/v1/backends/trino-1'],
      ['PATCH', '/api/v1/backends/trino-1', { weight: 5 }],
      ['PUT', '/api/v1/groups/etl', { policy: 'random' }],
    ] as const) {
      const r = await call(g, method, path, body);
      expect(r.status, `${method} ${path}`).toBe(409);
      expect(r.json.message).toMatch(
        /is defined in the config file \(configAuthority: file\); change it there/,
      );
    }
    // Entries the file does not declare stay the API's.
    const added = await call(g, 'POST', '/api/v1/backends', { name: 'trino-9', url: URL_B, group: 'etl' });
    expect(added.status).toBe(201);
    expect((await call(g, 'POST', '/api/v1/backends/trino-9/deactivate')).status).toBe(200);
  });

  it('file: a reload applies the edited file, deleting what it no longer declares', async () => {
    const db = join(dir(), 'switchyard.db');
    const g = await start(await config(db, { configAuthority: 'file' }));
    expect(
      (await call(g, 'POST', '/api/v1/backends', { name: 'trino-9', url: URL_B, group: 'adhoc' })).status,
    ).toBe(201);
    const next = await config(db, {
      configAuthority: 'file',
      groups: [{ name: 'adhoc', policy: 'random' }],
      backends: [{ name: 'trino-1', url: URL_B, group: 'adhoc', active: false }],
      auth: await passwordAuth(['ops', 'ops-password', ['admin']], ['bob', 'bob-password']),
    });
    g.gateway.reload(
      parseConfig(stringify({ ...next, server: g.services.config.server }), { baseDir: dir() }),
    );
    const r = g.services.registry;
    await until('the file applied', async () => (r.get('trino-1')?.url === URL_B ? true : undefined));
    expect(r.get('trino-1')?.active).toBe(false);
    expect(r.get('trino-2')).toBeUndefined();
    expect(r.group('etl')).toBeUndefined();
    expect(r.group('adhoc')?.policy).toBe('random');
    expect(r.get('trino-9')?.url).toBe(URL_B);
    expect(g.services.users.get('bob')).toBeDefined();
    // What the file no longer declares is the API's again.
    expect((await call(g, 'PUT', '/api/v1/groups/etl', { policy: 'random' })).status).toBe(201);
    expect((await call(g, 'POST', '/api/v1/backends/trino-1/activate')).status).toBe(409);
  });
});

describe('configAuthority: file and SIGHUP', () => {
  let gw: GatewayProcess | undefined;
  afterEach(async () => void (await gw?.kill('SIGKILL')));

  it('puts the edited file in force on SIGHUP', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sy-authority-hup-'));
    const port = await freePort();
    const base = {
      server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
      database: { path: join(d, 'switchyard.db') },
      configAuthority: 'file',
      groups: [{ name: 'adhoc' }],
      auth: await passwordAuth(['ops', 'ops-password', ['admin']]),
      health: { enabled: false },
      log: { level: 'info' },
    };
    gw = await spawnGateway(
      { ...base, backends: [{ name: 'trino-1', url: URL_A, group: 'adhoc' }] },
      d,
      60_000,
    );
    writeFileSync(
      join(d, 'gateway.config.yaml'),
      stringify({ ...base, backends: [{ name: 'trino-1', url: URL_B, group: 'adhoc' }] }),
    );
    gw.child.kill('SIGHUP');
    const seen = await until('the new URL', async () => {
      const r = await fetch(`${gw!.url}/api/v1/backends/trino-1`, { headers: ADMIN });
      const b = (await r.json()) as { url?: string };
      return b.url === URL_B ? b : undefined;
    });
    expect(seen.url).toBe(URL_B);
  });
});
