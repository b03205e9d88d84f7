import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-hash.js';
import { startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

/**
 * The principal decides the user Trino sees on every request of a query, not only on its submission: a
 * poll, a cancel or a /v1/query call naming another user is refused unless the principal may impersonate
 * that user, and one naming nobody runs as the principal.
 */
describe('identity on follow-ups', () => {
  let emu: TrinoEmulator;
  let gw: TestGateway;
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  const ALICE = basic('alice', 'alice-pw');
  const OPS = basic('ops', 'ops-pw');

  beforeAll(async () => {
    // At Trino's defaults: X-Presto-* means nothing to this cluster (the gateway renames them).
    emu = await TrinoEmulator.start({ name: 'trino-1', queuedPages: 2, executingPages: 3 });
    gw = await startGateway(
      testConfig([{ name: 'trino-1', url: emu.url }], {
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
              groups: ['adhoc'],
              roles: ['user'],
              impersonate: ['svc_.*'],
            },
            { name: 'josé', passwordHash: await hashPassword('j-pw'), groups: ['adhoc'], roles: ['user'] },
            { name: 'łukasz', passwordHash: await hashPassword('l-pw'), groups: ['adhoc'], roles: ['user'] },
          ],
        },
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await emu?.stop();
  });
  beforeEach(() => {
    emu.requests = [];
  });

  async function submit(auth: string, user?: string) {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { authorization: auth, ...(user ? { 'x-trino-user': user } : {}) },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { id: string; nextUri: string };
  }
  /** The user header the cluster saw on the last request to a path starting with `prefix`. */
  const sawUser = (prefix: string) =>
    emu.requests.filter((r) => r.url.startsWith(prefix)).at(-1)?.headers['x-trino-user'];

  it('refuses a poll, a cancel and a /v1/query call that name another user', async () => {
    const q = await submit(OPS);
    const poll = new URL(q.nextUri).pathname;
    for (const [method, path] of [
      ['GET', poll],
      ['DELETE', poll],
      ['GET', `/v1/query/${q.id}`],
      ['DELETE', `/v1/query/${q.id}`],
    ] as const) {
      const res = await fetch(`${gw.url}${path}`, {
        method,
        headers: { authorization: ALICE, 'x-trino-user': 'ops' },
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      const body = (await res.json()) as { errorName: string; message: string };
      expect(body.errorName).toBe('PERMISSION_DENIED');
      expect(body.message).toContain('alice');
    }
    // Nothing of it reached the cluster.
    expect(emu.requests.filter((r) => r.method === 'DELETE' || r.url.startsWith('/v1/query/'))).toEqual([]);
  });

  it('runs a follow-up that names nobody, or the principal, as the principal', async () => {
    const q = await submit(ALICE);
    let res = await fetch(q.nextUri, { headers: { authorization: ALICE } });
    expect(res.status).toBe(200);
    const next = ((await res.json()) as { nextUri: string }).nextUri;
    expect(sawUser('/v1/statement/')).toBe('alice');
    res = await fetch(`${gw.url}/v1/query/${q.id}`, {
      method: 'DELETE',
      headers: { authorization: ALICE, 'x-trino-user': 'alice' },
    });
    expect(res.status).toBeLessThan(300);
    expect(sawUser('/v1/query/')).toBe('alice');
    await fetch(next, { method: 'DELETE', headers: { authorization: ALICE } });
  });

  it('keeps an allowed impersonation on the follow-ups of the query it started', async () => {
    const q = await submit(OPS, 'svc_etl');
    expect(sawUser('/v1/statement')).toBe('svc_etl');
    const res = await fetch(q.nextUri, { headers: { authorization: OPS, 'x-trino-user': 'svc_etl' } });
    expect(res.status).toBe(200);
    expect(sawUser('/v1/statement/')).toBe('svc_etl');
    // …but not one outside the grant.
    const bad = await fetch(q.nextUri, { headers: { authorization: OPS, 'x-trino-user': 'root' } });
    expect(bad.status).toBe(403);
  });

  it("checks Trino's chain: the principal may impersonate the original user, who may become the user", async () => {
    const post = (auth: string, headers: Record<string, string>) =>
      fetch(`${gw.url}/v1/statement`, {
        method: 'POST',
        body: 'SELECT 1',
        headers: { authorization: auth, ...headers },
      });
    expect((await post(ALICE, { 'x-trino-original-user': 'admin' })).status).toBe(403);
    // JDBC's sessionUser: the original user is one the principal may impersonate; no user header → runs as it.
    expect((await post(OPS, { 'x-trino-original-user': 'svc_etl' })).status).toBe(200);
    const chained = emu.requests.at(-1)!;
    expect(chained.headers['x-trino-original-user']).toBe('svc_etl');
    expect(chained.headers['x-trino-user']).toBe('svc_etl');
    // SET SESSION AUTHORIZATION: the original user becomes another user the principal's rules allow…
    const auth = await post(OPS, { 'x-trino-original-user': 'svc_etl', 'x-trino-user': 'svc_load' });
    expect(auth.status).toBe(200);
    expect(emu.requests.at(-1)?.headers['x-trino-user']).toBe('svc_load');
    // …and no one they do not.
    expect((await post(OPS, { 'x-trino-original-user': 'svc_etl', 'x-trino-user': 'alice' })).status).toBe(
      403,
    );
    const own = await post(ALICE, { 'x-trino-original-user': 'alice' });
    expect(own.status).toBe(200);
    const q = (await own.json()) as { nextUri: string };
    const poll = await fetch(q.nextUri, {
      headers: { authorization: ALICE, 'x-presto-original-user': 'ops' },
    });
    expect(poll.status).toBe(403);
    // Sent on as the user header is: a UTF-8 josé reaches the cluster as a Trino client would send it.
    const jose = basic('josé', 'j-pw');
    expect(
      (await post(jose, { 'x-trino-original-user': Buffer.from('josé').toString('latin1') })).status,
    ).toBe(200);
    expect(emu.requests.at(-1)?.headers['x-trino-original-user']).toBe('josé');
  });

  it('reads user names as UTF-8 or ISO-8859-1, sends them on intact, and refuses bytes that are no text', async () => {
    const post = (user: string, pw: string, header: string) =>
      fetch(`${gw.url}/v1/statement`, {
        method: 'POST',
        body: 'SELECT 1',
        headers: { authorization: basic(user, pw), 'x-trino-user': header },
      });
    const latin1 = (t: string) => t; // fetch sends a string's characters as single bytes
    const utf8 = (t: string) => Buffer.from(t, 'utf8').toString('latin1');
    for (const header of [latin1('josé'), utf8('josé')]) {
      const res = await post('josé', 'j-pw', header);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { nextUri: string };
      expect(
        (
          await fetch(page.nextUri, {
            headers: { authorization: basic('josé', 'j-pw'), 'x-trino-user': header },
          })
        ).status,
      ).toBe(200);
      // As a Trino client would have sent it: ISO-8859-1, one byte for é.
      expect(sawUser('/v1/statement/')).toBe('josé');
    }
    // A name beyond ISO-8859-1 cannot travel as such: its UTF-8 bytes do (before, undici refused it: a 502).
    const res = await post('łukasz', 'l-pw', utf8('łukasz'));
    expect(res.status).toBe(200);
    const poll = await fetch(((await res.json()) as { nextUri: string }).nextUri, {
      headers: { authorization: basic('łukasz', 'l-pw') },
    });
    expect(poll.status).toBe(200);
    expect(Buffer.from(String(sawUser('/v1/statement/')), 'latin1').toString('utf8')).toBe('łukasz');
    // 0x81 is no UTF-8 sequence, and a control character in ISO-8859-1.
    const bad = await post('alice', 'alice-pw', Buffer.from([0x61, 0x81]).toString('latin1'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/UTF-8/);
  });

  it('names the principal in X-Trino-User on a Presto-family poll that names no user', async () => {
    const res = await fetch(`${gw.url}/v1/statement`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { authorization: ALICE, 'x-presto-user': 'alice', 'x-presto-source': 'presto-client' },
    });
    const q = (await res.json()) as { nextUri: string };
    emu.requests = [];
    // presto-client polls with X-Presto-Source and no user header.
    expect(
      (await fetch(q.nextUri, { headers: { authorization: ALICE, 'x-presto-source': 'presto-client' } }))
        .status,
    ).toBe(200);
    const seen = emu.requests.at(-1)!.headers;
    expect(seen['x-trino-user']).toBe('alice');
    expect(seen['x-trino-source']).toBe('presto-client');
    expect(Object.keys(seen).filter((k) => k.startsWith('x-presto-'))).toEqual([]);
  });
});
