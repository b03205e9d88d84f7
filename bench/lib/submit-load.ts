/**
 * Sustained submissions in their own process: `submit-load.ts BASE CLIENTS SECONDS`. Each client loops:
 * POST `SELECT * FROM UNNEST(sequence(1, 300))` (the emulator sends it as two data pages of 150 rows),
 * follow nextUri to the end, checking every row arrived, then the next query. Users bench-0…bench-99.
 * Prints one JSON line: submitted (POST answered 200), finished (FINISHED with 300 rows), errors, and
 * per-query latency p50/p99.
 */
import http from 'node:http';

const [base, clients, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const end = Date.now() + seconds * 1000;
const lat: number[] = [];
let submitted = 0;
let finished = 0;
let errors = 0;

interface Page {
  nextUri?: string;
  data?: unknown[];
  stats?: { state?: string };
}

function request(method: string, url: string, headers: Record<string, string>, body?: string) {
  return new Promise<Page>((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(JSON.parse(text) as Page) : reject(new Error(`${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function one(user: Record<string, string>): Promise<void> {
  const t0 = process.hrtime.bigint();
  let page = await request('POST', `${base}/v1/statement`, user, 'SELECT * FROM UNNEST(sequence(1, 300))');
  submitted++;
  let rows = 0;
  while (page.nextUri) {
    page = await request('GET', page.nextUri, user);
    rows += page.data?.length ?? 0;
  }
  if (page.stats?.state !== 'FINISHED' || rows !== 300) throw new Error(`ended ${page.stats?.state} ${rows}`);
  finished++;
  lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
}

async function loop(i: number): Promise<void> {
  const user = { 'x-trino-user': `bench-${i % 100}` };
  while (Date.now() < end) await one(user).catch(() => void errors++);
}

const t0 = Date.now();
await Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
const elapsed = (Date.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
process.stdout.write(
  JSON.stringify({ submitted, finished, errors, qps: finished / elapsed, p50: q(0.5), p99: q(0.99) }) + '\n',
);
agent.destroy();
