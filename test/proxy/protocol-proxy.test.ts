import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/raw-http.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';

const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

/**
 * The protocol proxy's one way for every request (protocol-proxy.ts): classify; answer the malformed and
 * the public ones; authenticate the rest; a follow-up acts as its principal, on its own queries only.
 * Every refusal is Trino's error JSON.
 */
describe('ProtocolProxy', () => {
  let t: TrinoEmulator;
  let gw: TestGateway;
  const alice = { authorization: basic('alice', 'alice-pw') };
  const bob = { authorization: basic('bob', 'bob-pw') };

  beforeAll(async () => {
    t = await TrinoEmulator.start({ name: 't' });
    gw = await startGateway(
      testConfig([{ name: 't', url: t.url }], {
        health: { enabled: false },
        auth: await passwordAuth(['alice', 'alice-pw'], ['bob', 'bob-pw']),
      }),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await t?.stop();
  });
  beforeEach(() => t.clearRequests());

  const error = async (res: Response) => (await res.json()) as { errorName: string; message: string };
  const submit = async (headers = alice) => {
    const res = await fetch(`${gw.url}/v1/statement`, { method: 'POST', body: 'SELECT 1', headers });
    expect(res.status).toBe(200);
    return (await res.json()) as { id: string; nextUri: string };
  };
  const counted = async (route: string, status: string) => {
    const { values } = await gw.services.metrics.requests.get();
    return values.find((v) => v.labels.route === route && v.labels.status === status)?.value ?? 0;
  };

  describe('what needs no principal', () => {
    it('answers a request target that is neither a path nor an absolute URL with 400', async () => {
      const res = await rawRequest(Number(new URL(gw.url).port), 'GET * HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({
        errorName: 'BAD_REQUEST',
        message: 'malformed request target',
      });
      expect(t.requests).toHaveLength(0);
    });

    it('answers any method but POST on /v1/statement with 405 and Allow: POST', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await fetch(`${gw.url}/v1/statement`, { method, headers: alice });
        expect(res.status, method).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
        expect((await error(res)).errorName).toBe('NOT_SUPPORTED');
      }
      const head = await fetch(`${gw.url}/v1/statement`, { method: 'HEAD' });
      expect(head.status).toBe(405);
    });

    it('answers a path that is no protocol path with 404, before asking for credentials', async () => {
      const res = await fetch(`${gw.url}/v1/nothing-here`);
      expect(res.status).toBe(404);
      expect(await error(res)).toMatchObject({
        errorName: 'NOT_FOUND',
        message: 'unknown protocol path /v1/nothing-here',
      });
      expect(t.requests).toHaveLength(0);
    });

    it('answers a poll of an invalid query id with 400, and a spooled segment without a handle with 404', async () => {
      const bad = await fetch(`${gw.url}/v1/statement/executing/NOT-AN-ID/y/1`, { headers: alice });
      expect(bad.status).toBe(400);
      expect((await error(bad)).message).toBe('invalid query id "NOT-AN-ID"');
      const seg = await fetch(`${gw.url}/v1/spooled/download/abc`);
      expect(seg.status).toBe(404);
      expect((await error(seg)).message).toBe('unknown spooled segment');
      expect(t.requests).toHaveLength(0);
    });

    it('relays /v1/info without credentials, naming no user to the cluster', async () => {
      const res = await fetch(`${gw.url}/v1/info`, { headers: { 'x-trino-user': 'mallory' } });
      expect(res.status).toBe(200);
      expect(t.requests).toHaveLength(1);
      expect(t.requests[0].headers['x-trino-user']).toBeUndefined();
    });
  });

  describe('what needs a principal', () => {
    it('asks for credentials on a submission, /v1/status and a poll', async () => {
      const first = await submit();
      for (const [method, url] of [
        ['POST', `${gw.url}/v1/statement`],
        ['GET', `${gw.url}/v1/status`],
        ['GET', first.nextUri],
      ]) {
        const res = await fetch(url, { method, body: method === 'POST' ? 'SELECT 1' : undefined });
        expect(res.status, url).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
        expect((await error(res)).errorName).toBe('AUTHENTICATION_FAILED');
      }
    });

    it('refuses wrong credentials with 401', async () => {
      const res = await fetch(`${gw.url}/v1/status`, { headers: { authorization: basic('alice', 'nope') } });
      expect(res.status).toBe(401);
    });

    it("lets a principal poll and cancel its own query, and no one else's (403, before any cluster)", async () => {
      const first = await submit();
      t.clearRequests();
      const stranger = await fetch(first.nextUri, { headers: bob });
      expect(stranger.status).toBe(403);
      expect((await error(stranger)).message).toMatch(/^Access Denied: query .* belongs to another user/);
      const cancel = await fetch(first.nextUri, { method: 'DELETE', headers: bob });
      expect(cancel.status).toBe(403);
      const info = await fetch(`${gw.url}/v1/query/${first.id}`, { headers: bob });
      expect(info.status).toBe(403);
      expect(t.requests).toHaveLength(0);
      const own = await fetch(first.nextUri, { headers: alice });
      expect(own.status).toBe(200);
    });

    it('acts as the principal, whatever user a header names', async () => {
      const res = await fetch(`${gw.url}/v1/statement`, {
        method: 'POST',
        body: 'SELECT 1',
        headers: { ...alice, 'x-trino-user': 'bob' },
      });
      expect(res.status).toBe(403);
      expect(t.requests).toHaveLength(0);
    });
  });

  it('counts every answered request by route and status class', async () => {
    const before = [
      await counted('statement', '2xx'),
      await counted('followup', '2xx'),
      await counted('bad', '4xx'),
    ];
    const first = await submit();
    await fetch(first.nextUri, { headers: alice });
    await fetch(`${gw.url}/v1/nothing-here`);
    const after = [
      await counted('statement', '2xx'),
      await counted('followup', '2xx'),
      await counted('bad', '4xx'),
    ];
    expect(after).toEqual([before[0] + 1, before[1] + 1, before[2] + 1]);
  });
});
