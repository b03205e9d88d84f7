import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

/** Secrets planted through every way a catalog property reaches the gateway. */
const S = Array.from({ length: 13 }, (_, i) => `Pl4nted-${i}-${Math.random().toString(36).slice(2, 10)}`);
const q = (s: string) => s.replace(/'/g, "''");

/** Statements a user sends through the protocol, each carrying catalog properties its own way. */
const STATEMENTS = [
  `CREATE CATALOG c0 USING memory WITH ("connection-password" = '${S[4]}')`,
  `EXPLAIN CREATE CATALOG c1 USING memory WITH ("password" = '${S[5]}')`,
  `PREPARE p FROM CREATE CATALOG c2 USING memory WITH ("s3.aws-secret-key" = '${S[6]}')`,
  `EXECUTE IMMEDIATE '${q(`CREATE CATALOG c3 USING memory WITH ("password" = '${S[7]}')`)}'`,
  `ALTER CATALOG c0 SET PROPERTIES "connection-password" = '${S[8]}'`,
  `CREATE CATALOG c4 USING postgresql WITH ("connection-url" = 'jdbc:postgresql://db:5432/x?user=a&password=${S[9]}')`,
  `CREATE CATALOG c5 USING memory WITH ("oauth-client-passphrase" = '${S[10]}', "uri" = 'thrift://u:${S[11]}@h:9083')`,
  `explain analyze create catalog c6 using memory with ("token" = '${S[12]}')`,
];

describe('planted catalog secrets appear nowhere: database file, logs, API answers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-secrets-'));
  const file = join(dir, 'switchyard.db');
  let emu: TrinoEmulator;
  let gw: TestGateway;
  const basic = (u: string, p: string) => ({
    authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
  });
  const admin = basic('admin', 'admin-pw');
  const alice = basic('alice', 'alice-pw');
  const answers: string[] = [];
  const ids: string[] = [];

  async function grab(path: string, headers: Record<string, string>): Promise<string> {
    const r = await fetch(`${gw.url}${path}`, { headers });
    const text = await r.text();
    answers.push(`${path} ${r.status} ${JSON.stringify([...r.headers])} ${text}`);
    return text;
  }

  async function run(sql: string, headers: Record<string, string>): Promise<void> {
    const r = await fetch(`${gw.url}/v1/statement`, { method: 'POST', body: sql, headers });
    let text = await r.text();
    let page = JSON.parse(text) as { id?: string; nextUri?: string };
    if (page.id) ids.push(page.id);
    while (page.nextUri) {
      const n = await fetch(page.nextUri, { headers });
      text = await n.text();
      page = JSON.parse(text);
    }
  }

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1', connectors: ['memory', 'postgresql'] });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], {
        database: { path: file },
        history: { flushIntervalMs: 50 },
        log: { level: 'debug' },
        auth: {
          ...(await passwordAuth(['admin', 'admin-pw', ['admin']], ['alice', 'alice-pw'])),
          forwardAuthorization: 'never',
        },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
  });

  it('redacts them everywhere', async () => {
    const created = await fetch(`${gw.url}/api/v1/catalogs`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'pg',
        connector: 'postgresql',
        properties: {
          'connection-password': S[0],
          'connection-url': `jdbc:postgresql://db:5432/x?user=a&password=${S[1]}`,
          'oauth-client-passphrase': S[2],
          'hive.metastore.uri': `thrift://u:${S[3]}@h:9083`,
        },
      }),
    });
    answers.push(await created.text());
    expect(created.status).toBe(201);
    for (const sql of STATEMENTS) await run(sql, alice);
    expect(ids.length).toBe(STATEMENTS.length);
    await gw.services.recorder.flush();

    for (const who of [admin, alice]) {
      await grab('/api/v1/queries?limit=500', who);
      await grab('/api/queryHistory', who);
      for (const id of ids) await grab(`/api/v1/queries/${id}`, who);
    }
    await grab('/api/v1/catalogs', admin);
    await grab('/api/v1/catalogs/adhoc/pg', admin);
    await grab('/metrics', {});
    const haystacks: Array<[string, string]> = [
      ['logs', gw.logs()],
      ['answers', answers.join('\n')],
      ...[file, `${file}-wal`]
        .filter((f) => existsSync(f))
        .map((f) => [f, readFileSync(f).toString('latin1')] as [string, string]),
    ];
    for (const [where, text] of haystacks)
      for (const s of S) expect(text.includes(s), `${s} found in ${where}`).toBe(false);
    // Every statement has its row, redacted rather than dropped.
    for (const id of ids) expect((await gw.services.history.get(id))?.sql).toContain('***');
  });
});
