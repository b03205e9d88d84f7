/**
 * A closed-loop HTTP load generator in its own process: `connections` keep-alive connections each issue
 * GET url back to back for `seconds`, reading every body (with an Authorization header when a fourth
 * argument gives one; with `Accept-Encoding: gzip` when LOAD_GZIP=1, counting the compressed bytes).
 * Prints one JSON line of results.
 */
import http from 'node:http';

const [url, connections, seconds, authorization] = [
  new URL(process.argv[2]),
  Number(process.argv[3]),
  Number(process.argv[4]),
  process.argv[5],
];
const headers: Record<string, string> = authorization ? { authorization } : {};
if (process.env.LOAD_GZIP === '1') headers['accept-encoding'] = 'gzip';
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const lat: number[] = [];
let bytes = 0;
let errors = 0;
const end = Date.now() + seconds * 1000;

function one(): Promise<void> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    http
      .get(url, { agent, headers }, (res) => {
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve();
        });
      })
      .on('error', () => {
        errors++;
        resolve();
      });
  });
}

async function loop(): Promise<void> {
  while (Date.now() < end) await one();
}

const t0 = Date.now();
await Promise.all(Array.from({ length: connections }, loop));
const elapsed = (Date.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
process.stdout.write(
  JSON.stringify({
    requests: lat.length,
    errors,
    rps: lat.length / elapsed,
    p50: q(0.5),
    p99: q(0.99),
    mbps: bytes / 1e6 / elapsed,
  }) + '\n',
);
agent.destroy();
