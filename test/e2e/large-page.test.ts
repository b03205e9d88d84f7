import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { freePort, spawnGateway, testConfig, type GatewayProcess } from '../helpers/start-gateway.js';
import { readFileSync } from 'node:fs';

const SIZE = 64 * 1024 * 1024;

/** get streams a body, hashing it without keeping it, and returns the hash of everything after "columns". */
function get(url: string): Promise<{ status: number; bytes: number; tailHash: string; nextUri?: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'X-Trino-User': 'alice' } }, (res) => {
        const hash = createHash('sha256');
        let head = '';
        let bytes = 0;
        let started = false;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (!started) {
            head += c.toString('latin1');
            const i = head.indexOf('"columns"');
            if (i >= 0) {
              started = true;
              hash.update(Buffer.from(head.slice(i), 'latin1'));
            }
          } else hash.update(c);
        });
        res.on('end', () => {
          const nextUri = /"nextUri":"([^"]+)"/.exec(head)?.[1];
          resolve({ status: res.statusCode ?? 0, bytes, tailHash: hash.digest('hex'), nextUri });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function submit(base: string, sql: string): Promise<string> {
  const res = await fetch(`${base}/v1/statement`, {
    method: 'POST',
    body: sql,
    headers: { 'X-Trino-User': 'alice' },
  });
  let page = (await res.json()) as { nextUri?: string; data?: unknown };
  // Poll until the page that carries the big data is next.
  while (page.nextUri) {
    const r = await fetch(page.nextUri, { method: 'HEAD' });
    void r;
    return page.nextUri;
  }
  throw new Error('no nextUri');
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

describe('a 64 MB result page', () => {
  let emu: TrinoEmulator;
  let gw: GatewayProcess;

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1', queuedPages: 0, executingPages: 0 });
    const port = await freePort();
    gw = await spawnGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], {
        server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
        log: { level: 'warn' },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await gw?.kill('SIGKILL');
    await emu?.stop();
  });

  async function walkToBigPage(base: string): Promise<string> {
    let uri = await submit(base, `SELECT large_page(${SIZE})`);
    for (;;) {
      const res = await fetch(uri, { method: 'GET' });
      const text = await res.text();
      if (text.length >= SIZE) return uri; // same token = same page: fetch it again below
      const next = /"nextUri":"([^"]+)"/.exec(text)?.[1];
      if (!next) throw new Error('query ended before the large page');
      uri = next;
    }
  }

  it('arrives byte-identical through the gateway', async () => {
    const viaUri = await walkToBigPage(gw.url);
    const via = await get(viaUri);
    expect(via.bytes).toBeGreaterThanOrEqual(SIZE);
    // The same page straight from the cluster (same token = same page): strip the gateway's handle.
    const u = new URL(viaUri);
    const directUri = emu.url + u.pathname.replace(/~[^/]+/, '');
    const direct = await get(directUri);
    expect(via.status).toBe(200);
    expect(via.tailHash).toBe(direct.tailHash);
  }, 120_000);

  it('streams 8 of them at once while the gateway grows by less than 64 MB', async () => {
    const uris = await Promise.all(Array.from({ length: 8 }, () => walkToBigPage(gw.url)));
    const before = rssKb(gw.child.pid!);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb(gw.child.pid!))), 20);
    const results = await Promise.all(uris.map((u) => get(u)));
    clearInterval(sampler);
    for (const r of results) expect(r.bytes).toBeGreaterThanOrEqual(SIZE);
    expect((peak - before) / 1024).toBeLessThan(64);
  }, 180_000);

  it('holds the backend back while a client stops reading, then delivers the rest', async () => {
    const uri = await walkToBigPage(gw.url);
    const start = emu.largeBytesWritten;
    let sentWhilePaused = 0;
    let stalled = false;
    const bytes = await new Promise<number>((resolve, reject) => {
      http
        .get(uri, { headers: { 'X-Trino-User': 'alice' } }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.once('data', () => {
            // A client that stops reading: what the cluster may send meanwhile is bounded by socket
            // buffers (Linux grows a receive buffer up to net.ipv4.tcp_rmem's 32 MB here, on each of the
            // two connections) and the gateway's small queue, not by the page: the cluster's writes stall.
            res.pause();
            void (async () => {
              let last = -1;
              for (const until = Date.now() + 20_000; Date.now() < until;) {
                await new Promise((r) => setTimeout(r, 500));
                const now = emu.largeBytesWritten - start;
                if (now === last) {
                  stalled = true;
                  break;
                }
                last = now;
              }
              sentWhilePaused = last;
              res.resume();
            })();
          });
          res.on('end', () => resolve(n));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    expect(bytes).toBeGreaterThanOrEqual(SIZE);
    expect(stalled).toBe(true);
    expect(sentWhilePaused / SIZE).toBeLessThan(0.9);
  }, 120_000);
});
