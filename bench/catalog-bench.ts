/**
 * Catalog broadcast fan-out: `npx tsx bench/catalog-bench.ts [clusters]` (default 50).
 * Target: a broadcast to N emulated clusters finishes within 1.5× the slowest single cluster's time.
 *
 * Each emulated cluster answers every request after its own delay (10–60 ms, so clusters differ and one
 * is clearly the slowest). First each cluster alone: a group holding only that cluster gets one CREATE
 * CATALOG through the admin API, timed end to end; the slowest of those is the reference. Then one group
 * holding all N clusters gets one CREATE CATALOG, timed end to end. Gateway and emulators share this
 * process (in-process emulators keep the bench self-contained); timings are printed, never asserted.
 */
import { startGateway, testConfig } from '../test/helpers/start-gateway.js';
import { TrinoEmulator } from '../test/helpers/trino-emulator/index.js';

const N = Number(process.argv[2] ?? 50);
const ROUNDS = 3;
const delayOf = (i: number) => 10 + ((i * 7) % 11) * 5; // 10..60 ms

const emulators = await Promise.all(
  Array.from({ length: N }, (_, i) => TrinoEmulator.start({ name: `c${i}` })),
);
emulators.forEach((e, i) => e.setDelay(delayOf(i)));
const gw = await startGateway({
  ...testConfig(
    emulators.map((e, i) => ({ name: `c${i}`, url: e.url, group: 'all' })),
    {
      log: { level: 'warn' },
      health: { enabled: false },
      catalogs: { reconcileIntervalSeconds: 3600 },
      auth: { mode: 'none', headerUsers: { groups: ['*'], roles: ['admin', 'user'] } },
    },
  ),
});
// One single-cluster group per emulator, through the API (a second registration of the same URL).
for (let i = 0; i < N; i++) {
  const g = await post('/api/v1/groups/solo' + i, {}, 'PUT');
  const b = await post('/api/v1/backends', { name: `solo${i}`, url: emulators[i]!.url, group: `solo${i}` });
  if (g.status !== 201 || b.status !== 201) throw new Error(`setup: ${g.status} ${b.status}`);
}

async function post(path: string, body: unknown, method = 'POST'): Promise<{ status: number; json: any }> {
  const res = await fetch(gw.url + path, {
    method,
    headers: { 'content-type': 'application/json', 'x-trino-user': 'bench' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function timeCreate(group: string, name: string): Promise<number> {
  const t0 = performance.now();
  const r = await post('/api/v1/catalogs', { group, name, connector: 'memory' });
  const ms = performance.now() - t0;
  if (r.status !== 201) throw new Error(`${group}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
  return ms;
}

const singles: number[] = [];
for (let i = 0; i < N; i++) {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) best = Math.min(best, await timeCreate(`solo${i}`, `s${i}_${r}`));
  singles.push(best);
}
const slowest = Math.max(...singles);
const broadcasts: number[] = [];
for (let r = 0; r < ROUNDS; r++) broadcasts.push(await timeCreate('all', `b${r}`));
const broadcast = Math.min(...broadcasts);
const ratio = broadcast / slowest;
console.log(
  `catalog broadcast: ${N} clusters, delays 10–60 ms per request, best of ${ROUNDS}, Node ${process.version}`,
);
console.log(
  `slowest single cluster   ${slowest.toFixed(1)} ms   (fastest ${Math.min(...singles).toFixed(1)} ms)`,
);
console.log(
  `broadcast to ${N} clusters ${broadcast.toFixed(1)} ms   (all runs: ${broadcasts.map((b) => b.toFixed(0)).join(', ')} ms)`,
);
console.log(
  `ratio ${ratio.toFixed(2)}× the slowest single cluster   target ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'MISSED'}`,
);
await gw.stop();
await Promise.all(emulators.map((e) => e.stop()));
