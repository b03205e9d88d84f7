import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { selfSignedCert } from '../helpers/tls.js';

/** openSlow connects and writes `first`, then nothing (or `drip` bytes now and then); resolves when the server closes it. */
function openSlow(port: number, first: string, drip?: string): { closed: Promise<string> } {
  const sock = net.connect(port, '127.0.0.1');
  let got = '';
  let timer: NodeJS.Timeout | undefined;
  sock.on('connect', () => {
    sock.write(first);
    if (drip) timer = setInterval(() => sock.writable && sock.write(drip), 100);
  });
  sock.on('data', (c) => (got += c.toString('latin1')));
  const closed = new Promise<string>((resolve) => {
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearInterval(timer);
      resolve(got);
    });
  });
  return { closed };
}

describe('slow clients are cut off (slowloris)', () => {
  let emu: TrinoEmulator;
  let gw: TestGateway;
  let port: number;
  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1' });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], {
        server: {
          host: '127.0.0.1',
          headersTimeoutSeconds: 1,
          requestTimeoutSeconds: 2,
          keepAliveTimeoutSeconds: 0.5,
        },
      }),
    );
    port = Number(new URL(gw.url).port);
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
  });

  it('closes connections that send half a header block and stop, while /healthz keeps answering', async () => {
    const attackers = Array.from({ length: 200 }, () =>
      openSlow(port, 'GET /v1/info HTTP/1.1\r\nHost: x\r\nX-Trino-User: a'),
    );
    const silent = Array.from({ length: 20 }, () => openSlow(port, ''));
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${gw.url}/healthz`);
      expect(r.status).toBe(200);
    }
    const answers = await Promise.all([...attackers, ...silent].map((a) => a.closed));
    // Node answers 408 where it can; either way every connection is gone.
    for (const a of answers) expect(a === '' || a.startsWith('HTTP/1.1 408')).toBe(true);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  }, 20_000);

  it('closes a connection whose statement body trickles in, even while bytes keep coming', async () => {
    const head =
      'POST /v1/statement HTTP/1.1\r\nHost: x\r\nX-Trino-User: alice\r\nContent-Length: 4000000\r\n\r\nSELECT ';
    const a = openSlow(port, head, '1');
    const answer = await a.closed;
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  }, 20_000);

  it('closes a keep-alive connection left idle after its answer', async () => {
    const a = openSlow(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const answer = await a.closed;
    expect(answer.startsWith('HTTP/1.1 200')).toBe(true);
  }, 20_000);

  it('still serves a client that sends its request at a normal pace', async () => {
    const r = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      headers: { 'X-Trino-User': 'alice' },
      body: 'SELECT 1',
    });
    expect(r.status).toBe(200);
  });
});

describe('slow clients over TLS', () => {
  it('closes a connection that never completes its TLS handshake, and one that stops mid-header', async () => {
    const cert = selfSignedCert();
    const gw = await startGateway(
      testConfig([], {
        server: {
          host: '127.0.0.1',
          headersTimeoutSeconds: 1,
          requestTimeoutSeconds: 2,
          tls: { cert: cert.certFile, key: cert.keyFile },
        },
        health: { enabled: false },
      }),
    );
    try {
      const port = Number(new URL(gw.url).port);
      const noHello = openSlow(port, ''); // TCP only: no ClientHello ever
      const halfHeader = new Promise<void>((resolve) => {
        const s = tls.connect({ port, host: '127.0.0.1', ca: cert.ca, servername: 'localhost' }, () =>
          s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'),
        );
        s.on('error', () => undefined);
        s.resume(); // read, so the server's close is seen
        s.on('close', () => resolve());
      });
      await Promise.all([noHello.closed, halfHeader]);
      const ok = await new Promise<number>((resolve, reject) =>
        https
          .get(`${gw.url}/healthz`, { ca: cert.ca }, (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          })
          .on('error', reject),
      );
      expect(ok).toBe(200);
    } finally {
      await gw.stop();
    }
  }, 20_000);
});
