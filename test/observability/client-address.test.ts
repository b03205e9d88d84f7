import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-hash.js';
import { parseConfig } from '../../src/config/load.js';
import { ClientAddressResolver } from '../../src/observability/client-address.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const req = (peer: string, xff?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  }) as unknown as IncomingMessage;

describe('ClientAddressResolver', () => {
  const r = new ClientAddressResolver(['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);

  it('takes the rightmost untrusted X-Forwarded-For entry when the peer is a trusted proxy', () => {
    expect(r.resolve(req('10.1.2.3', '203.0.113.7'))).toBe('203.0.113.7');
    // A client-written entry left of the real one is never believed.
    expect(r.resolve(req('10.1.2.3', '198.51.100.1, 203.0.113.7, 192.168.1.5'))).toBe('203.0.113.7');
    expect(r.resolve(req('::ffff:10.1.2.3', '203.0.113.7:51234'))).toBe('203.0.113.7');
    expect(r.resolve(req('fd00::1', '[2001:db8::9]:443'))).toBe('2001:db8::9');
  });

  it('ignores X-Forwarded-For from an untrusted peer, and stops at garbage', () => {
    expect(r.resolve(req('203.0.113.50', '10.9.9.9'))).toBe('203.0.113.50');
    expect(r.resolve(req('10.1.2.3', 'not-an-ip, 10.2.2.2'))).toBe('10.2.2.2');
    expect(r.resolve(req('10.1.2.3'))).toBe('10.1.2.3');
    expect(r.resolve(req('10.1.2.3', '10.4.4.4, 10.5.5.5'))).toBe('10.4.4.4'); // all trusted: the first
  });

  it('refuses entries that are not addresses or CIDRs at load, naming the path', () => {
    expect(() => parseConfig('server: { trustedProxies: [10.0.0.0/33] }')).toThrow(
      /server\.trustedProxies[\s\S]*CIDR/,
    );
    expect(() => parseConfig('server: { trustedProxies: [lb.internal] }')).toThrow(/CIDR/);
    for (const all of ['0.0.0.0/0', '::/0'])
      expect(() => parseConfig(`server: { trustedProxies: ["${all}"] }`)).toThrow(/narrower than \/0/);
  });
});

describe('server.trustedProxies through the gateway', () => {
  let emu: TrinoEmulator;
  let trusting: TestGateway;
  let plain: TestGateway;
  const auth = (pw: string) => ({ authorization: `Basic ${Buffer.from(`alice:${pw}`).toString('base64')}` });
  const config = async (trustedProxies?: string[]) =>
    // The cluster processes forwarded headers (that is what these tests are about).
    testConfig([{ name: 'trino-1', url: emu.url, processForwarded: true }], {
      ...(trustedProxies ? { server: { host: '127.0.0.1', port: 0, trustedProxies } } : {}),
      auth: {
        mode: 'password',
        users: [{ name: 'alice', passwordHash: await hashPassword('pw'), groups: ['adhoc'] }],
        basic: { cacheTtlSeconds: 0 },
        lockout: { maxFailures: 2, windowSeconds: 60, blockSeconds: 60 },
      },
    });

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1', processForwarded: 'ACCEPT' });
    trusting = await startGateway(await config(['127.0.0.1']));
    plain = await startGateway(await config());
  });
  afterAll(async () => {
    await Promise.all([trusting?.stop(), plain?.stop()]);
    await emu?.stop();
  });
  beforeEach(() => {
    emu.requests = [];
  });
  const submit = (gw: TestGateway, headers: Record<string, string>) =>
    fetch(`${gw.url}/v1/statement`, { method: 'POST', body: 'SELECT 1', headers });

  it('sends the cluster the client behind a trusted proxy, and nothing a client wrote otherwise', async () => {
    const from = { ...auth('pw'), 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' };
    expect((await submit(trusting, from)).status).toBe(200);
    expect(emu.requests.at(-1)?.headers['x-forwarded-for']).toBe('203.0.113.7');
    // The scheme the balancer says the client used (it terminated TLS), not the gateway's own http.
    expect(emu.requests.at(-1)?.headers['x-forwarded-proto']).toBe('https');
    expect((await submit(plain, from)).status).toBe(200);
    expect(emu.requests.at(-1)?.headers['x-forwarded-for']).toMatch(/127\.0\.0\.1$/);
    expect(emu.requests.at(-1)?.headers['x-forwarded-proto']).toBe('http');
  });

  it('limits failed logins per client behind the proxy, not per proxy', async () => {
    const from = (ip: string, pw: string) => submit(trusting, { ...auth(pw), 'x-forwarded-for': ip });
    for (let i = 0; i < 2; i++) expect((await from('203.0.113.66', 'wrong')).status).toBe(401);
    expect((await from('203.0.113.66', 'pw')).status).toBe(429);
    // alice from another client behind the same proxy is not blocked.
    expect((await from('203.0.113.67', 'pw')).status).toBe(200);
  });
});
