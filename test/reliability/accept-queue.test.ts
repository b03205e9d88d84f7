import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { freePort, spawnGateway, testConfig, type GatewayProcess } from '../helpers/start-gateway.js';

/** More connections than Node's default listen backlog (511) holds. */
const CONNECTIONS = 1000;

/**
 * Thousands of long-polling clients connect at once when a gateway starts or a balancer fails over. The
 * kernel queues connections the gateway has not accepted yet; with Node's default queue of 511, the rest
 * are dropped (and, with SYN cookies, some are reset), which bench (d) saw as ECONNRESET at 5,000 clients.
 * The gateway is stopped (SIGSTOP) so it accepts nothing: every connection must still complete in the
 * kernel, and be served once the gateway runs again. Needs net.core.somaxconn ≥ CONNECTIONS (Linux's
 * default is 4096).
 */
describe('the listen backlog (server.acceptQueueSize)', () => {
  let emu: TrinoEmulator;
  let gw: GatewayProcess;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1' });
    const port = await freePort();
    gw = await spawnGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], {
        server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}` },
        log: { level: 'warn' },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    if (gw && gw.child.exitCode === null) {
      gw.child.kill('SIGCONT');
      await gw.kill('SIGKILL');
    }
    await emu?.stop();
  });

  it(`holds ${CONNECTIONS} connections made while the gateway accepts none, and serves them all`, async () => {
    const port = Number(new URL(gw.url).port);
    gw.child.kill('SIGSTOP');
    const connected = await Promise.all(
      Array.from(
        { length: CONNECTIONS },
        () =>
          new Promise<boolean>((resolve) => {
            const s = net.connect(port, '127.0.0.1');
            sockets.push(s);
            s.once('connect', () => resolve(true));
            s.once('error', () => resolve(false));
            // A connection the queue has no room for stays in SYN-SENT (its SYN dropped, retried after 1 s,
            // 3 s, 7 s…): past this deadline it counts as refused.
            setTimeout(() => resolve(false), 20_000).unref();
          }),
      ),
    );
    expect(connected.filter((c) => !c).length).toBe(0);

    gw.child.kill('SIGCONT');
    const answers = await Promise.all(
      sockets.map(
        (s) =>
          new Promise<string>((resolve) => {
            let got = '';
            s.on('data', (c) => {
              got += c.toString('latin1');
              if (got.includes('\r\n\r\n')) resolve(got.slice(0, got.indexOf('\r\n')));
            });
            s.once('error', (e) => resolve(`error ${e.message}`));
            s.once('close', () => resolve(got.slice(0, got.indexOf('\r\n')) || 'closed'));
            s.write('GET /healthz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
          }),
      ),
    );
    const counts = new Map<string, number>();
    for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 'HTTP/1.1 200 OK': CONNECTIONS });
  }, 90_000);
});
