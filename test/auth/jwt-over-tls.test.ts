import https from 'node:https';
import { SignJWT } from 'jose';
import { Trino } from 'trino-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { selfSignedCert, type TestCert } from '../helpers/tls.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const SECRET = 'another-shared-secret-of-32-chars!';
const ISSUER = 'https://idp.example';
const key = new TextEncoder().encode(SECRET);

/** token signs an HS256 JWT with the configured key and audience; only the issuer varies unless told. */
const token = (sub: string, iss: string | null = ISSUER) => {
  const jwt = new SignJWT({ groups: ['adhoc'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setAudience('switchyard')
    .setExpirationTime('5m');
  if (iss !== null) jwt.setIssuer(iss);
  return jwt.sign(key);
};

describe('JWT identity over TLS', () => {
  let adhoc: TrinoEmulator;
  let gw: TestGateway;
  let cert: TestCert;
  let agent: https.Agent;

  beforeAll(async () => {
    cert = selfSignedCert();
    agent = new https.Agent({ ca: cert.ca });
    adhoc = await TrinoEmulator.start({ name: 'trino-adhoc' });
    gw = await startGateway(
      testConfig([{ name: 'trino-adhoc', url: adhoc.url }], {
        server: { host: '127.0.0.1', port: 0, tls: { cert: cert.certFile, key: cert.keyFile } },
        health: { enabled: false },
        auth: {
          mode: 'password',
          users: [],
          jwt: {
            enabled: true,
            secret: SECRET,
            algorithms: ['HS256'],
            issuer: ISSUER,
            audience: 'switchyard',
          },
        },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await adhoc?.stop();
  });

  /** submit posts a statement over HTTPS trusting the test CA, with a bearer token. */
  function submit(bearer: string) {
    return new Promise<{ status: number; headers: Record<string, unknown>; json: Record<string, unknown> }>(
      (resolve, reject) => {
        const req = https.request(
          `${gw.url}/v1/statement`,
          { method: 'POST', headers: { Authorization: `Bearer ${bearer}` }, agent },
          (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () =>
              resolve({ status: res.statusCode!, headers: res.headers, json: text ? JSON.parse(text) : {} }),
            );
          },
        );
        req.on('error', reject);
        req.end('SELECT current_cluster()');
      },
    );
  }

  it('accepts a token from the configured issuer (control)', async () => {
    adhoc.clearRequests();
    const res = await submit(await token('frank'));
    expect(res.status).toBe(200);
    expect(res.json.id).toEqual(expect.any(String));
    expect(adhoc.requests.find((r) => r.method === 'POST')?.headers['x-trino-user']).toBe('frank');
  });

  it.each([
    ['another issuer', 'https://evil.example'],
    ['the issuer with a trailing slash', `${ISSUER}/`],
    ['the issuer in another case', ISSUER.toUpperCase()],
    ['no issuer at all', null],
  ])('refuses with 401 a token signed with the right key and audience but %s', async (_what, iss) => {
    adhoc.clearRequests();
    const res = await submit(await token('mallory', iss));
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ errorType: 'USER_ERROR', errorName: expect.any(String) });
    expect(String(res.json.message)).toContain('claim');
    expect(String(res.headers['www-authenticate'])).toContain('Bearer realm="Switchyard"');
    // Refused before routing: the cluster never saw it.
    expect(adhoc.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('runs a query to completion with the npm trino-client and a bearer token; Trino sees the subject', async () => {
    adhoc.clearRequests();
    const trino = Trino.create({
      server: gw.url,
      catalog: 'tpch',
      schema: 'tiny',
      ssl: { ca: cert.ca },
      // trino-client has no bearer auth option; extraHeaders go on the statement POST and every poll.
      // An empty X-Trino-User is dropped by the client, so the user can only come from the token.
      extraHeaders: { Authorization: `Bearer ${await token('erin')}`, 'X-Trino-User': '' },
    });
    const iter = await trino.query('SELECT current_cluster()');
    const rows: unknown[][] = [];
    let state: string | undefined;
    let error: unknown;
    let id: string | undefined;
    for await (const page of iter) {
      id = page.id;
      state = page.stats?.state;
      if (page.data) rows.push(...(page.data as unknown[][]));
      if (page.error) error = page.error;
    }
    expect(error).toBeUndefined();
    expect(state).toBe('FINISHED');
    expect(rows).toEqual([['trino-adhoc']]);
    const post = adhoc.requests.find((r) => r.method === 'POST');
    // The gateway checked the token; the cluster gets the user, not the credential (forwardAuthorization: auto).
    expect(post?.headers.authorization).toBeUndefined();
    expect(post?.headers['x-trino-user']).toBe('erin');
    expect(adhoc.queries.get(id!)?.user).toBe('erin');
    // The client polled through the gateway (more than the one POST reached the cluster).
    expect(adhoc.requests.filter((r) => r.method === 'GET' && r.url.includes(id!)).length).toBeGreaterThan(0);
  });
});
