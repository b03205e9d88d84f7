/**
 * The issue-15 attacks, re-run against a real gateway process on 127.0.0.1:
 * `npx tsx bench/attacks.ts`. Prints, for each: connections closed and after how long, the worst
 * /healthz latency during the attack, bytes stored per query, and history rows lost across SIGKILL.
 * The gateway runs with its shipped defaults except where a line says otherwise. Timings are printed,
 * never asserted.
 */
import net from 'node:net';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnGateway, testConfig, type GatewayProcess } from '../test/helpers/start-gateway.js';
import { spawn } from 'node:child_process';

// The emulator runs in its own process: its work on a 4 MB statement must not delay this process's probe.
const emuPort = await freePort();
const emuChild = spawn(
  process.execPath,
  ['--import', 'tsx', 'test/helpers/emulator-cli.ts', '--port', String(emuPort), '--rows-per-page', '10'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise<void>((resolve) => emuChild.stdout!.once('data', () => resolve()));
const emu = { url: `http://127.0.0.1:${emuPort}`, stop: async () => void emuChild.kill('SIGTERM') };
const dir = mkdtempSync(join(tmpdir(), 'sy-attacks-'));
const dbPath = join(dir, 'switchyard.db');
const port = await freePort();
const config = testConfig([{ name: 'trino-1', url: emu.url }], {
  server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
  database: { path: dbPath },
  health: { enabled: false },
  log: { level: process.env.LOG ?? 'warn' },
});
let gw: GatewayProcess = await spawnGateway(config, dir);

const only = process.env.ONLY?.split(',');
/** run: whether a section is wanted (ONLY=slowloris,bodies,big,flood,kill runs a subset). */
const run = (k: string) => !only || only.includes(k);

/** healthProbe polls /healthz every 20 ms until stopped; resolves with the worst latency seen. */
function healthProbe(): { stop: () => Promise<{ worst: number; failures: number }> } {
  let running = true;
  let worst = 0;
  let failures = 0;
  const loop = (async () => {
    while (running) {
      const s = performance.now();
      try {
        const r = await fetch(`${gw.url}/healthz`, { signal: AbortSignal.timeout(30_000) });
        await r.text();
        if (r.status !== 200) failures++;
      } catch {
        failures++;
      }
      worst = Math.max(worst, performance.now() - s);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { worst, failures };
    },
  };
}

/** slowConnections opens n sockets that write `first` then trickle `drip` every 500 ms; resolves close times. */
async function slowConnections(n: number, first: string, drip?: string): Promise<number[]> {
  const closes: Array<Promise<number>> = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const sock = net.connect(port, '127.0.0.1');
    sock.on('error', (e) => process.env.DEBUG && console.error('err', String(e)));
    sock.on('data', (d) => process.env.DEBUG && console.error('data', String(d).slice(0, 30)));
    let timer: NodeJS.Timeout | undefined;
    sock.on('connect', () => {
      sock.write(first);
      if (drip) timer = setInterval(() => sock.writable && sock.write(drip), 500);
    });
    closes.push(
      new Promise((resolve) =>
        sock.on('close', () => {
          clearInterval(timer);
          resolve(performance.now() - start);
          if (process.env.DEBUG) console.error('closed', i);
        }),
      ),
    );
    if (i % 200 === 199) await new Promise((r) => setTimeout(r, 10));
  }
  return Promise.all(closes);
}

const fmt = (ms: number[]) => {
  ms.sort((a, b) => a - b);
  return `${ms.length} closed; after min ${(ms[0] / 1000).toFixed(1)} s, median ${(ms[ms.length >> 1] / 1000).toFixed(1)} s, max ${(ms[ms.length - 1] / 1000).toFixed(1)} s`;
};

// 1. Slowloris: half a header block, then nothing.
if (run('slowloris')) {
  const probe = healthProbe();
  const closed = await slowConnections(
    Number(process.env.N ?? 3000),
    'GET /v1/info HTTP/1.1\r\nHost: x\r\nX-Trino-User: a',
  );
  const h = await probe.stop();
  console.log(
    `slowloris, 3000 half-header connections: ${fmt(closed)}; /healthz worst ${h.worst.toFixed(0)} ms, ${h.failures} failed`,
  );
}
// 1b. Slow bodies: 150 statements of 4 MB − 1 declared, trickling one byte every 500 ms.
if (run('bodies')) {
  const probe = healthProbe();
  const head = `POST /v1/statement HTTP/1.1\r\nHost: x\r\nX-Trino-User: alice\r\nContent-Length: ${4 * 1024 * 1024 - 1}\r\n\r\nSELECT `;
  const closed = await slowConnections(150, head, 'x');
  const h = await probe.stop();
  console.log(
    `slow bodies, 150 connections: ${fmt(closed)}; /healthz worst ${h.worst.toFixed(0)} ms, ${h.failures} failed`,
  );
}
// 2. A 4 MB statement naming a catalog, then listing three such rows.
if (run('big')) {
  const values = Array.from({ length: 400_000 }, (_, i) => `'v${i}'`).join(',');
  const sql = `SELECT * FROM memory.web.catalog_sales WHERE a IN (${values})`.slice(0, 4 * 1024 * 1024 - 1);
  const probe = healthProbe();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: sql,
      headers: { 'X-Trino-User': 'alice' },
    });
    const p = (await r.json()) as { id: string };
    ids.push(p.id);
  }
  await new Promise((r) => setTimeout(r, 1000));
  const h1 = await probe.stop();
  const probe2 = healthProbe();
  const page = await fetch(`${gw.url}/api/v1/queries?user=alice&limit=200`, {
    headers: { 'X-Trino-User': 'alice' },
  });
  const pageBytes = (await page.arrayBuffer()).byteLength;
  const h2 = await probe2.stop();
  const db = new Database(dbPath, { readonly: true });
  const rows = db
    .prepare(
      `SELECT length(CAST(sql AS BLOB)) AS n, sql_bytes AS full FROM query_history WHERE query_id IN (${ids.map(() => '?').join(',')})`,
    )
    .all(...ids) as Array<{ n: number; full: number }>;
  db.close();
  console.log(
    `three 4 MB statements naming a catalog: /healthz worst ${h1.worst.toFixed(0)} ms; bytes stored per query ${rows.map((r) => `${r.n} of ${r.full}`).join(', ')}`,
  );
  console.log(
    `listing them (limit=200): answer ${pageBytes} bytes, /healthz worst ${h2.worst.toFixed(0)} ms`,
  );
}
// 8. One user's flood of never-polled submissions.
if (run('flood')) {
  let ok = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 250; i++) {
        const r = await fetch(`${gw.url}/v1/statement`, {
          method: 'POST',
          body: 'SELECT 1',
          headers: { 'X-Trino-User': 'mallory' },
        });
        await r.arrayBuffer();
        if (r.status === 200) ok++;
        else if (r.status === 429) refused++;
      }
    }),
  );
  const other = await fetch(`${gw.url}/v1/statement`, {
    method: 'POST',
    body: 'SELECT 1',
    headers: { 'X-Trino-User': 'bob' },
  });
  await other.arrayBuffer();
  console.log(
    `2000 never-polled submissions by one user: ${ok} accepted, ${refused} refused with 429; another user's submission: ${other.status}`,
  );
}
// 9. SIGKILL under 24 clients.
if (run('kill')) {
  const answered: string[] = [];
  let stop = false;
  const client = async (u: string) => {
    while (!stop) {
      try {
        const r = await fetch(`${gw.url}/v1/statement`, {
          method: 'POST',
          body: 'SELECT * FROM UNNEST(sequence(1, 40))',
          headers: { 'X-Trino-User': u },
        });
        let p = (await r.json()) as { id?: string; nextUri?: string };
        if (p.id) answered.push(p.id);
        while (p.nextUri && !stop)
          p = (await (await fetch(p.nextUri, { headers: { 'X-Trino-User': u } })).json()) as typeof p;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const clients = Array.from({ length: 24 }, (_, i) => client(`user${i}`));
  await new Promise((r) => setTimeout(r, 8000));
  await gw.kill('SIGKILL');
  stop = true;
  await Promise.all(clients);
  try {
    gw = await spawnGateway(config, dir);
  } catch (e) {
    console.log(`restart failed: ${(e as Error).message.slice(0, 2000)}`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 3000));
  const db = new Database(dbPath, { readonly: true });
  const have = new Map(
    (
      db.prepare('SELECT query_id AS id, state FROM query_history').all() as Array<{
        id: string;
        state: string;
      }>
    ).map((r) => [r.id, r.state]),
  );
  db.close();
  const lost = answered.filter((id) => !have.has(id)).length;
  const states: Record<string, number> = {};
  for (const id of answered) if (have.has(id)) states[have.get(id)!] = (states[have.get(id)!] ?? 0) + 1;
  console.log(
    `SIGKILL under 24 clients: ${answered.length} answered submissions, ${lost} without a row after the restart; states ${JSON.stringify(states)}`,
  );
}
await gw.kill('SIGTERM');
await emu.stop();
