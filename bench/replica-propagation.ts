/**
 * How fast an admin change on one replica steers another: `npx tsx bench/replica-propagation.ts [rounds]`
 * (default 50). Target: within 1 s.
 *
 * Starts a private PostgreSQL (Debian's package, as the test setup does), two gateways on one database
 * (in this process) and one emulated cluster. Each round deactivates or activates the backend through
 * replica A's admin API and times, from A's answer, until replica B's registry shows the change (B learns
 * of it through LISTEN/NOTIFY and reloads its backends). Printed, never asserted.
 */
import { generateSealKey } from '../src/catalogs/secrets.js';
import { postgresBin, startPostgres } from '../test/db/pg-server.js';
import { startGateway, testConfig } from '../test/helpers/start-gateway.js';
import { TrinoEmulator } from '../test/helpers/trino-emulator/index.js';

const ROUNDS = Number(process.argv[2] ?? 50);
const bin = postgresBin();
if (!bin)
  throw new Error('no PostgreSQL server programs under /usr/lib/postgresql (apt-get install postgresql)');
const pg = await startPostgres(bin);
const t1 = await TrinoEmulator.start({ name: 't1' });
const config = testConfig([{ name: 't1', url: t1.url }], {
  log: { level: 'warn' },
  health: { enabled: false },
  database: { url: pg.url, poolSize: 4 },
  catalogs: { sealKey: generateSealKey() },
  auth: { mode: 'none', headerUsers: { groups: ['*'], roles: ['admin', 'user'] } },
});
const a = await startGateway(config);
const b = await startGateway(config);
const ms: number[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const active = i % 2 === 1;
    const res = await fetch(`${a.url}/api/v1/backends/t1/${active ? 'activate' : 'deactivate'}`, {
      method: 'POST',
      headers: { 'x-trino-user': 'ops' },
    });
    if (res.status !== 200) throw new Error(`round ${i}: ${res.status} ${await res.text()}`);
    const t0 = performance.now();
    while (b.services.registry.get('t1')?.active !== active) {
      if (performance.now() - t0 > 10_000) throw new Error(`round ${i}: replica B never saw the change`);
      await new Promise((r) => setImmediate(r));
    }
    ms.push(performance.now() - t0);
  }
} finally {
  await Promise.all([a.stop(), b.stop()]);
  await t1.stop();
  pg.stop();
}
ms.sort((x, y) => x - y);
const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(2);
console.log(
  `replica propagation over ${ROUNDS} changes: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
);
