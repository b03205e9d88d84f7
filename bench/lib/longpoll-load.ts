/**
 * Long-polling clients in their own process: `longpoll-load.ts BASE N SECONDS`. N clients each submit
 * `SELECT sleep(…)` (users bench-0…bench-99, as many users share a gateway) and follow nextUri as
 * StatementClientV1 does, one request at a time on its own keep-alive connection; the emulator holds each
 * poll of a running query for Trino's default wait (1 s). Submissions are ramped 250 at a time. Prints
 * `steady` once every client is polling, `measuring` when the timed window starts, one JSON line of poll
 * latencies after SECONDS, then cancels every query (DELETE nextUri) a second later and exits.
 */
import http from 'node:http';

const [base, n, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
let measuring = false;
let stopping = false;
const lat: number[] = [];
let errors = 0;
/** The first few failures' reasons, to tell a 429 or 503 from a reset. */
const reasons = new Map<string, number>();
let polling = 0;
const next: Array<string | undefined> = [];

function request(method: string, url: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function client(i: number): Promise<void> {
  const user = { 'x-trino-user': `bench-${i % 100}` };
  try {
    const r = await request('POST', `${base}/v1/statement`, user, 'SELECT sleep(3600000)');
    next[i] = (JSON.parse(r.text) as { nextUri?: string }).nextUri;
    let first = true;
    while (next[i] && !stopping) {
      const t0 = process.hrtime.bigint();
      const p = await request('GET', next[i]!, user);
      if (measuring) lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (p.status !== 200) throw new Error(`poll ${p.status} ${p.text.slice(0, 80)}`);
      if (first && ((first = false), ++polling === n)) process.stdout.write('steady\n');
      if (!stopping) next[i] = (JSON.parse(p.text) as { nextUri?: string }).nextUri;
    }
  } catch (e) {
    errors++;
    const why = (e as Error).message;
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
}

const all: Array<Promise<void>> = [];
for (let i = 0; i < n; i += 250) {
  const batch = Array.from({ length: Math.min(250, n - i) }, (_, k) => client(i + k));
  all.push(...batch);
  await new Promise((r) => setTimeout(r, 100));
}
while (polling < n && errors === 0) await new Promise((r) => setTimeout(r, 50));
await new Promise((r) => setTimeout(r, 1500)); // one more poll round for everyone before timing
measuring = true;
process.stdout.write('measuring\n');
const t0 = Date.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
const elapsed = (Date.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
process.stdout.write(
  JSON.stringify({
    clients: n,
    polls: lat.length,
    pollsPerS: lat.length / elapsed,
    errors,
    p50: q(0.5),
    p99: q(0.99),
    max: q(1),
    reasons: Object.fromEntries(reasons),
  }) + '\n',
);
await new Promise((r) => setTimeout(r, 1000));
stopping = true;
const cancels = next.map((u, i) =>
  u ? request('DELETE', u, { 'x-trino-user': `bench-${i % 100}` }).catch(() => undefined) : undefined,
);
await Promise.all([...cancels, ...all]);
agent.destroy();
process.exit(0);
