import https from 'node:https';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-hash.js';
import { runPresto, runTrino } from '../helpers/clients.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { selfSignedCert, type TestCert } from '../helpers/tls.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const SECRET = 'a-shared-secret-of-32-characters!!';
const key = new TextEncoder().encode(SECRET);
const token = (
  claims: Record<string, unknown>,
  opts: {
    exp?: string | number;
    nbf?: string | number;
    aud?: string;
    iss?: string;
    secret?: Uint8Array;
  } = {},
) =>
  new SignJWT({ groups: ['adhoc'], ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(claims.sub ?? 'carol'))
    .setIssuedAt()
    .setIssuer(opts.iss ?? 'https://idp.example')
    .setAudience(opts.aud ?? 'switchyard')
    .setExpirationTime(opts.exp ?? '5m')
    .setNotBefore(opts.nbf ?? 0)
    .sign(opts.secret ?? key);

describe('identity over TLS with real clients', () => {
  let adhoc: TrinoEmulator;
  let etl: TrinoEmulator;
  let gw: TestGateway;
  let cert: TestCert;
  let agent: https.Agent;

  beforeAll(async () => {
    cert = selfSignedCert();
    agent = new https.Agent({ ca: cert.ca });
    adhoc = await TrinoEmulator.start({ name: 'trino-adhoc' });
    etl = await TrinoEmulator.start({ name: 'trino-etl' });
    gw = await startGateway(
      testConfig(
        [
          { name: 'trino-adhoc', url: adhoc.url },
          { name: 'trino-etl', url: etl.url, group: 'etl' },
        ],
        {
          server: { host: '127.0.0.1', port: 0, tls: { cert: cert.certFile, key: cert.keyFile } },
          auth: {
            mode: 'password',
            users: [
              {
                name: 'alice',
                passwordHash: await hashPassword('alice-pw'),
                groups: ['adhoc'],
                roles: ['user'],
              },
              {
                name: 'ops',
                passwordHash: await hashPassword('ops-pw'),
                groups: ['adhoc', 'etl'],
                defaultGroup: 'etl',
                roles: ['admin'],
                impersonate: ['svc_.*'],
              },
            ],
            jwt: {
              enabled: true,
              secret: SECRET,
              algorithms: ['HS256'],
              issuer: 'https://idp.example',
              audience: 'switchyard',
            },
            lockout: { maxFailures: 3, windowSeconds: 60, blockSeconds: 60 },
          },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([adhoc?.stop(), etl?.stop()]);
  });

  /** request sends a raw HTTPS request trusting the test CA. */
  function request(method: string, path: string, headers: Record<string, string>, body?: string) {
    return new Promise<{ status: number; headers: Record<string, unknown>; json: Record<string, unknown> }>(
      (resolve, reject) => {
        const req = https.request(`${gw.url}${path}`, { method, headers, agent }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, json: text ? JSON.parse(text) : {} }),
          );
        });
        req.on('error', reject);
        req.end(body);
      },
    );
  }
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  const submit = (headers: Record<string, string>) =>
    request('POST', '/v1/statement', headers, 'SELECT current_cluster()');

  it('runs a query with trino-client and Basic auth over TLS', async () => {
    const r = await runTrino(gw.url, 'SELECT current_cluster()', {
      user: 'alice',
      password: 'alice-pw',
      ssl: { ca: cert.ca },
    });
    expect(r.error).toBeUndefined();
    expect(r.rows).toEqual([['trino-adhoc']]);
  });

  it('runs a query with presto-client and Basic auth over TLS; the user default group decides', async () => {
    const r = await runPresto(
      {
        host: '127.0.0.1',
        port: Number(new URL(gw.url).port),
        user: 'ops',
        password: 'ops-pw',
        ssl: { ca: cert.ca },
      },
      'SELECT current_cluster()',
    );
    expect(r.rows).toEqual([['trino-etl']]);
  });

  it('runs a query with a JWT (presto-client custom_auth)', async () => {
    const presto = (await import('presto-client')).default;
    const client = new presto.Client({
      host: '127.0.0.1',
      port: Number(new URL(gw.url).port),
      user: 'carol',
      engine: 'trino',
      ssl: { ca: cert.ca },
      custom_auth: `Bearer ${await token({ sub: 'carol' })}`,
      checkInterval: 10,
    });
    const rows = await new Promise<unknown[][]>((resolve, reject) => {
      const out: unknown[][] = [];
      client.execute({
        query: 'SELECT current_cluster()',
        data: (_e: unknown, d: unknown[][]) => out.push(...d),
        success: () => resolve(out),
        error: reject,
      });
    });
    expect(rows).toEqual([['trino-adhoc']]);
  });

  it('sets the user Trino sees from the principal', async () => {
    adhoc.clearRequests();
    const res = await submit({ Authorization: basic('alice', 'alice-pw') });
    expect(res.status).toBe(200);
    expect(adhoc.requests.find((r) => r.method === 'POST')?.headers['x-trino-user']).toBe('alice');
  });

  it.each([
    ['no credentials', async () => ({}), 401, 'Authentication required'],
    [
      'a wrong password',
      async () => ({ Authorization: basic('alice', 'nope') }),
      401,
      'Invalid username or password',
    ],
    [
      'an unknown user',
      async () => ({ Authorization: basic('mallory', 'x') }),
      401,
      'Invalid username or password',
    ],
    ['malformed Basic', async () => ({ Authorization: 'Basic %%%' }), 401, 'Malformed'],
    [
      'a non-UTF-8 user name (read as ISO-8859-1, as Trino does: no such user)',
      async () => ({ Authorization: `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x61]).toString('base64')}` }),
      401,
      'Invalid username or password',
    ],
    [
      'Basic credentials without a colon',
      async () => ({ Authorization: `Basic ${btoa('alice')}` }),
      401,
      'Malformed',
    ],
    [
      'an expired token',
      async () => ({
        Authorization: `Bearer ${await token({}, { exp: Math.floor(Date.now() / 1000) - 3600 })}`,
      }),
      401,
      'expired',
    ],
    [
      'a not-yet-valid token',
      async () => ({
        Authorization: `Bearer ${await token({}, { nbf: Math.floor(Date.now() / 1000) + 3600 })}`,
      }),
      401,
      'claim',
    ],
    [
      'a forged token',
      async () => ({
        Authorization: `Bearer ${await token({}, { secret: new TextEncoder().encode('another-secret-of-32-characters!!!') })}`,
      }),
      401,
      'signature',
    ],
    [
      'a token for another audience',
      async () => ({ Authorization: `Bearer ${await token({}, { aud: 'elsewhere' })}` }),
      401,
      'claim',
    ],
    [
      'an alg:none token',
      async () => ({
        Authorization: `Bearer ${new UnsecuredJWT({ sub: 'ops', roles: ['admin'] }).setIssuer('https://idp.example').setAudience('switchyard').encode()}`,
      }),
      401,
      'Invalid bearer token',
    ],
    ['a huge token', async () => ({ Authorization: `Bearer ${'a'.repeat(12_000)}` }), 401, 'oversized'],
    [
      'a spoofed user',
      async () => ({ Authorization: basic('alice', 'alice-pw'), 'X-Trino-User': 'ops' }),
      403,
      'may not impersonate',
    ],
    [
      'a forbidden routing group',
      async () => ({ Authorization: basic('alice', 'alice-pw'), 'X-Trino-Routing-Group': 'etl' }),
      403,
      "may not use routing group 'etl'",
    ],
  ])('refuses %s', async (_what, headers, status, message) => {
    const res = await submit(await headers());
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ errorName: expect.any(String), errorType: 'USER_ERROR' });
    expect(String(res.json.message)).toContain(message);
    if (status === 401 && !('Authorization' in (await headers())))
      expect(res.headers['www-authenticate']).toMatch(/Basic realm="Switchyard", Bearer realm="Switchyard"/);
  });

  it('lets a principal with an impersonation grant run as a matching user only', async () => {
    adhoc.clearRequests();
    etl.clearRequests();
    expect(
      (await submit({ Authorization: basic('ops', 'ops-pw'), 'X-Trino-User': 'svc_loader' })).status,
    ).toBe(200);
    expect(
      [...adhoc.requests, ...etl.requests].find((r) => r.method === 'POST')?.headers['x-trino-user'],
    ).toBe('svc_loader');
    expect((await submit({ Authorization: basic('ops', 'ops-pw'), 'X-Trino-User': 'alice' })).status).toBe(
      403,
    );
  });

  it('authenticates follow-ups too', async () => {
    const first = await submit({ Authorization: basic('alice', 'alice-pw') });
    const next = new URL(String(first.json.nextUri));
    expect((await request('GET', next.pathname, {})).status).toBe(401);
    expect((await request('GET', next.pathname, { Authorization: basic('alice', 'alice-pw') })).status).toBe(
      200,
    );
  });

  it('refuses repeated failures for one user with 429, without locking out another user', async () => {
    for (let i = 0; i < 3; i++) await submit({ Authorization: basic('victim', `guess${i}`) });
    const blocked = await submit({ Authorization: basic('victim', 'guess') });
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    expect((await submit({ Authorization: basic('ops', 'ops-pw') })).status).toBe(200);
  });

  it('keeps the admin API for admins', async () => {
    expect((await request('GET', '/api/v1/queries', {})).status).toBe(401);
    expect(
      (await request('GET', '/api/v1/queries', { Authorization: basic('alice', 'alice-pw') })).status,
    ).toBe(200);
    expect(
      (await request('GET', '/api/v1/anything-admin', { Authorization: basic('alice', 'alice-pw') })).status,
    ).toBe(403);
  });
});

describe('routing dry run', () => {
  it('explains the group, the backend and every rule for an admin', async () => {
    const emu = await TrinoEmulator.start({ name: 'e1' });
    const gw = await startGateway(
      testConfig(
        [
          { name: 'e1', url: emu.url },
          { name: 'e2', url: emu.url, group: 'etl' },
        ],
        {
          auth: {
            mode: 'password',
            users: [{ name: 'ops', passwordHash: await hashPassword('pw'), groups: ['*'], roles: ['admin'] }],
          },
        },
      ),
    );
    try {
      const auth = `Basic ${Buffer.from('ops:pw').toString('base64')}`;
      const ask = (body: unknown) =>
        fetch(`${gw.url}/api/v1/routing/explain`, {
          method: 'POST',
          headers: { Authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const res = await ask({ user: 'ops', headers: { 'X-Trino-Source': 'airflow' }, sql: 'SELECT 1' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        decision: { group: string; rule?: string };
        backend: string;
        rules: Array<{ name: string; matched: boolean; reasons: string[] }>;
      };
      expect(body.decision.group).toBe('etl');
      expect(body.backend).toBe('e2');
      expect(body.rules.length).toBeGreaterThan(0);
      expect(body.rules.some((r) => r.matched)).toBe(true);
      expect((await ask({ sql: 1 })).status).toBe(400);
      const bad = await fetch(`${gw.url}/api/v1/routing/explain`, {
        method: 'POST',
        headers: { Authorization: auth },
        body: '{not json',
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toContain('body');
    } finally {
      await gw.stop();
      await emu.stop();
    }
  });
});
