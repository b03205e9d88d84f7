import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-hash.js';
import { Backend } from '../../src/backends/backend.js';
import { resolveForwardAuthorization } from '../../src/backends/cluster-checks.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { selfSignedCert } from '../helpers/tls.js';

const record = (url: string, forwardAuthorization?: 'always' | 'never') => ({
  name: 'b',
  url,
  group: 'adhoc',
  active: true,
  weight: 1,
  catalogDriver: 'sql' as const,
  forwardAuthorization,
});

describe('auth.forwardAuthorization and backends[].forwardAuthorization', () => {
  it('auto passes credentials on only when the gateway authenticates no one', () => {
    expect(resolveForwardAuthorization('auto', 'none')).toBe('always');
    expect(resolveForwardAuthorization('auto', 'password')).toBe('never');
    expect(resolveForwardAuthorization('auto', 'jwt')).toBe('never');
    expect(resolveForwardAuthorization('https', 'password')).toBe('https');
  });

  it("takes a backend's own setting over the gateway's, and https only to https clusters", () => {
    const forwards = (url: string, mode: 'https' | 'always' | 'never', own?: 'always' | 'never') => {
      const b = new Backend(record(url, own), 1, mode);
      b.release();
      return b.forwardsAuthorization;
    };
    expect(forwards('http://trino.internal:8080', 'always')).toBe(true);
    expect(forwards('https://trino.internal:8443', 'https')).toBe(true);
    expect(forwards('http://trino.internal:8080', 'https')).toBe(false);
    expect(forwards('http://trino.internal:8080', 'never', 'always')).toBe(true);
    expect(forwards('https://trino.internal:8443', 'always', 'never')).toBe(false);
  });

  let emu: TrinoEmulator | undefined;
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    await emu?.stop();
  });

  const authorization = `Basic ${Buffer.from('alice:pw').toString('base64')}`;
  const users = async () => [{ name: 'alice', passwordHash: await hashPassword('pw'), groups: ['adhoc'] }];
  async function run(url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
    let res = await fetch(`${url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { authorization },
      ...init,
    });
    let text = await res.text();
    while (res.status === 200 && JSON.parse(text).nextUri) {
      res = await fetch(JSON.parse(text).nextUri, { headers: { authorization }, ...init });
      text = await res.text();
    }
    return { status: res.status, body: text };
  }

  it('by default gives a cluster left at Trino defaults the user, never the password, and warns of nothing', async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1' });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], { auth: { mode: 'password', users: await users() } }),
    );
    const r = await run(gw.url);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).stats.state).toBe('FINISHED');
    const seen = emu.requests.filter((q) => q.url.startsWith('/v1/statement'));
    expect(seen.length).toBeGreaterThan(1);
    for (const q of seen) {
      expect(q.headers.authorization).toBeUndefined();
      expect(q.headers['x-trino-user']).toBe('alice');
    }
    expect(gw.logs()).not.toContain('in cleartext');
  });

  it('warns at start, naming the backend, when a password goes to an http cluster that will refuse it', async () => {
    emu = await TrinoEmulator.start({ name: 'trino-1' });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url, forwardAuthorization: 'always' }], {
        auth: { mode: 'password', users: await users() },
      }),
    );
    expect(gw.logs()).toContain('backend trino-1');
    expect(gw.logs()).toContain('Password not allowed for insecure authentication');
    // …and for an http cluster added later through the admin API (which calls the registry).
    await gw.services.registry.add({ ...record('http://127.0.0.1:9', 'always'), name: 'trino-late' });
    const late = gw
      .logs()
      .split('\n')
      .some((l) => l.includes('backend trino-late') && l.includes('cleartext')); // (its audit line names it too)
    expect(late).toBe(true);
    // The cluster does refuse it, as the warning said; the client learns why in a failed query (no 401
    // challenge that would make it ask its user for another password, no 502 a client POSTs again on).
    const r = await run(gw.url);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).error).toMatchObject({
      errorName: 'BACKEND_REFUSED',
      message:
        'backend trino-1 answered 401: Password not allowed for insecure authentication (see backends[].forwardAuthorization)',
    });
  });

  it('passes the password to a password-checking cluster that sees https through accepted forwarding', async () => {
    const cert = selfSignedCert();
    emu = await TrinoEmulator.start({
      name: 'trino-1',
      processForwarded: 'ACCEPT',
      authentication: 'password',
      passwords: { alice: 'pw' },
    });
    gw = await startGateway(
      testConfig(
        [{ name: 'trino-1', url: emu.url, processForwarded: true, forwardAuthorization: 'always' }],
        {
          server: { host: '127.0.0.1', port: 0, tls: { cert: cert.certFile, key: cert.keyFile } },
          auth: { mode: 'password', users: await users() },
        },
      ),
    );
    const dispatcher = new Agent({ connect: { ca: cert.ca } });
    const r = await run(gw.url, { dispatcher } as RequestInit);
    await dispatcher.close();
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).stats.state).toBe('FINISHED');
    const post = emu.requests.find((q) => q.method === 'POST' && q.url === '/v1/statement')!;
    expect(post.headers.authorization).toBe(authorization);
    expect(post.headers['x-forwarded-proto']).toBe('https');
    expect(gw.logs()).not.toContain('refuses them over plain http');
  });
});
