import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { rawRequest } from '../helpers/raw-http.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

const PATHS = [
  '/v1/statement',
  '/v1/statement/queued/20240101_000000_00001_abcde/y1/1',
  '/v1/statement/executing/20240101_000000_00001_abcde/y1~AAAA.BBBB/1',
  '/v1/query/20240101_000000_00001_abcde',
  '/v1/spooled/download/seg~x.y',
  '/v1/info',
  '/ui/query.html?20240101_000000_00001_abcde',
  '/api/v1/backends',
  '/api/v1/backends/trino-1',
  '/api/v1/catalogs',
  '/api/v1/queries',
  '/gateway/backend/modify/add',
  '/v1/catalog/add',
  '/console',
  '/metrics',
];

const hostileSegment = fc.oneof(
  fc.constantFrom(
    '..',
    '%2e%2e',
    '..%2f',
    '%00',
    '~',
    '~~',
    '%7E',
    "'; DROP CATALOG x; --",
    '\\..\\',
    '%ff%fe',
    'a'.repeat(3000),
  ),
  fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)),
  fc
    .uint8Array({ maxLength: 30 })
    .map((b) => [...b].map((x) => '%' + x.toString(16).padStart(2, '0')).join('')),
);

const path = fc.oneof(
  fc.constantFrom(...PATHS),
  fc.tuple(fc.constantFrom(...PATHS), hostileSegment).map(([p, s]) => `${p}/${s}`),
  fc.tuple(fc.constantFrom(...PATHS), hostileSegment).map(([p, s]) => `${p}?${s}`),
  fc.array(hostileSegment, { minLength: 1, maxLength: 5 }).map((segs) => `/${segs.join('/')}`),
  fc.constantFrom(
    'http://evil.example/v1/info',
    'http://169.254.169.254/latest/meta-data',
    '*',
    'evil.example:443',
    '//evil.example/v1/info',
  ),
);

const body = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 200 }),
  fc.json(),
  fc.constantFrom(
    '{"name":',
    '{"name":"x","proxyTo":"file:///etc/passwd"}',
    '[]',
    'null',
    '{"catalogName":"a;b","connectorName":"x","properties":{}}',
    '{"name":"x; DROP CATALOG victim","connector":"memory"}',
    '{"name":"a\\"b","connector":"memory"}',
    '{"name":"ok","connector":"memory\' OR 1=1 --"}',
    '{"name":"fuzzed","connector":"memory","properties":{"k":"\'); DROP CATALOG victim; --"}}',
    '{"name":"fuzzed2","connector":"memory","properties":{"k\\"); DROP CATALOG victim; --":"v"}}',
    '{"group":"../etc","name":"x","connector":"memory"}',
    '{"name":"x","url":"http://169.254.169.254/","group":"nope"}',
  ),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);

/** A real admin credential, so generated bodies reach the admin and catalog validators too. */
const ADMIN = 'Basic ' + Buffer.from('ops:fuzz-admin-pw').toString('base64');

const auth = fc.oneof(
  fc.constant(undefined),
  fc.constant(ADMIN),
  fc.constant(ADMIN),
  fc.constantFrom(
    'Basic',
    'Basic !!!',
    'Basic ' + Buffer.from('alice').toString('base64'),
    'Bearer x.y.z',
    'Bearer ' + 'a'.repeat(20_000),
  ),
  fc.constant('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'),
  fc.uint8Array({ maxLength: 40 }).map((b) => 'Basic ' + Buffer.from(b).toString('base64')),
);

const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS');

/** Request-smuggling and framing variants, written raw. */
const SMUGGLING = [
  'POST /v1/statement HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n',
  'POST /v1/statement HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n',
  'POST /v1/statement HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nSELECT',
  'POST /v1/statement HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
  'POST /v1/statement HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n',
  'GET /v1/info HTTP/1.1\r\nHost: x\r\nX-Bad\u0000: 1\r\n\r\n',
  'GET /v1/info HTTP/1.1\r\nHost: x\r\n Folded: header\r\n\r\n',
  'GET /v1/info HTTP/1.1\r\nHost: x\nBare-LF: yes\r\n\r\n',
  'GET /v1/info HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET\r\n\r\n',
  `GET /v1/info HTTP/1.1\r\nHost: x\r\nX-Huge: ${'h'.repeat(100_000)}\r\n\r\n`,
  'GET /v1/statement/queued/\xff\xfe/y/1 HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /v1/statement HTTP/1.1\r\nHost: x\r\nX-Trino-User: \xff\xfe\xfd\r\nContent-Length: 8\r\n\r\nSELECT 1',
  'GET http://evil.example/v1/info HTTP/1.1\r\nHost: evil.example\r\n\r\n',
  'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example\r\n\r\n',
];

describe('hostile input', () => {
  let emu: TrinoEmulator;
  let gw: TestGateway;
  let port: number;
  let elsewhere: http.Server;
  let elsewhereHits = 0;

  beforeAll(async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1' });
    elsewhere = http.createServer((_q, s) => {
      elsewhereHits++;
      s.end('nope');
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', () => r()));
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], {
        log: { level: 'warn' },
        auth: {
          mode: 'password',
          lockout: { maxFailures: 1_000_000, windowSeconds: 1, blockSeconds: 1 },
          users: [
            {
              name: 'ops',
              passwordHash: await hashPassword('fuzz-admin-pw'),
              groups: ['*'],
              roles: ['admin'],
            },
          ],
        },
      }),
    );
    port = Number(new URL(gw.url).port);
    const made = await fetch(`${gw.url}/api/v1/catalogs`, {
      method: 'POST',
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'victim', connector: 'memory' }),
    });
    expect(made.status).toBe(201);
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
    await new Promise((r) => elsewhere?.close(r));
  });

  it(`answers ${RUNS} generated requests with no 5xx and a message on every error`, async () => {
    const other = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(method, path, body, auth, fc.boolean(), async (m, p, b, a, absoluteElsewhere) => {
        const target = absoluteElsewhere && p.startsWith('/') ? other + p : p;
        const headers = [`Host: 127.0.0.1:${port}`, 'Connection: close'];
        if (a) headers.push(`Authorization: ${a}`);
        const payload = Buffer.from(b, 'latin1');
        if (m !== 'GET' && m !== 'HEAD') headers.push(`Content-Length: ${payload.length}`);
        const raw = Buffer.concat([
          Buffer.from(`${m} ${target} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'),
          m !== 'GET' && m !== 'HEAD' ? payload : Buffer.alloc(0),
        ]);
        const res = await rawRequest(port, raw);
        if (res.status === 0 || res.status >= 500)
          failures.push(`${m} ${target.slice(0, 120)} → ${res.status} ${res.body.slice(0, 200)}`);
        if (res.status >= 400 && m !== 'HEAD' && !/"message"|"errorName"|<html|<!doctype/i.test(res.body))
          failures.push(
            `${m} ${target.slice(0, 120)} → ${res.status} without a message: ${res.body.slice(0, 100)}`,
          );
      }),
      { numRuns: RUNS, seed: 42, endOnFailure: true },
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(elsewhereHits).toBe(0);
    // Injection attempts in catalog names, connectors and properties never became a statement of their own.
    const statements = [...emu.queries.values()].map((q) => q.sql);
    expect(statements.filter((q) => /drop\s+catalog\s+victim/i.test(q))).toEqual([]);
    expect(emu.catalogs()).toContain('victim');
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  }, 600_000);

  it.each(SMUGGLING.map((s, i) => [i, s] as const))(
    'answers framing/smuggling variant #%i with a 4xx and never a second request',
    async (_i, raw) => {
      const before = emu.requests.length;
      const res = await rawRequest(port, Buffer.from(raw, 'latin1'));
      expect(res.status === 0 || (res.status >= 400 && res.status < 500) || res.status === 200).toBe(true);
      expect(res.status).not.toBeGreaterThanOrEqual(500);
      // nothing smuggled: at most the one request reached the cluster
      expect(emu.requests.length - before).toBeLessThanOrEqual(1);
      expect(elsewhereHits).toBe(0);
    },
  );
});
