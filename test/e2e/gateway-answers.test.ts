import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';

/**
 * The answers the gateway makes itself, as each client reads them (README, "Answers the gateway makes"):
 * every one is Trino's QueryError JSON with the message, and the message is in the reason phrase too;
 * trino-js (npm trino-client) gets it as the error's response data. A statement that may have run is never
 * answered 502/503/504 (tested in upstream-failures.test.ts); one that never reached a cluster may be.
 */
describe("the gateway's own answers", () => {
  let up: TrinoEmulator;
  let down: TrinoEmulator;
  let gw: TestGateway;
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  const ALICE = basic('alice', 'alice-pw');

  beforeAll(async () => {
    up = await TrinoEmulator.start({ name: 'up' });
    down = await TrinoEmulator.start({ name: 'down' });
    await down.setMode('refuse');
    gw = await startGateway(
      testConfig(
        [
          { name: 'up', url: up.url },
          { name: 'down', url: down.url, group: 'dead' },
        ],
        {
          groups: [{ name: 'adhoc' }, { name: 'dead' }, { name: 'empty' }],
          auth: await passwordAuth(['alice', 'alice-pw']),
          health: { enabled: false },
          proxy: { maxInFlightPerUser: 1 },
        },
      ),
    );
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([up?.stop(), down?.stop()]);
  });

  const post = (headers: Record<string, string>, body = 'SELECT 1') =>
    fetch(`${gw.url}/v1/statement`, { method: 'POST', headers, body });

  /** expectShaped checks the answer the way StatementClientV1, trino-python-client and trino-js read it. */
  async function expectShaped(res: Response, status: number, errorName: string, words: RegExp) {
    expect(res.status).toBe(status);
    const body = (await res.json()) as {
      message: string;
      errorName: string;
      errorCode: number;
      errorType: string;
    };
    expect(body).toMatchObject({ errorName, message: expect.stringMatching(words) });
    expect(typeof body.errorCode).toBe('number');
    // StatementClientV1 shows the body; older ones the reason phrase of a 401.
    expect(res.statusText).toMatch(words);
  }

  it('401: names what is missing, with a challenge', async () => {
    const res = await post({});
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    await expectShaped(res, 401, 'AUTHENTICATION_FAILED', /./);
  });

  it('403: a group or user the principal may not use is named', async () => {
    await expectShaped(
      await post({ authorization: ALICE, 'x-trino-user': 'bob' }),
      403,
      'PERMISSION_DENIED',
      /bob/,
    );
  });

  it('404: a query the gateway cannot place is named', async () => {
    const res = await fetch(`${gw.url}/v1/query/20240101_000000_00001_abcde`, {
      headers: { authorization: ALICE },
    });
    await expectShaped(res, 404, 'QUERY_NOT_FOUND', /20240101_000000_00001_abcde/);
  });

  it('413: a statement over the limit, before it is read whole', async () => {
    const res = await post({ authorization: ALICE }, 'x'.repeat(5 * 1024 * 1024));
    await expectShaped(res, 413, 'QUERY_TEXT_TOO_LARGE', /exceeds/);
  });

  it('503 (a statement that never reached a cluster): the group and what chose it are named', async () => {
    const res = await post({ authorization: ALICE, 'x-trino-routing-group': 'empty' });
    await expectShaped(res, 503, 'NO_NODES_AVAILABLE', /"empty".*X-Trino-Routing-Group/);
  });

  it('502 (a statement refused before it ran): the cluster is named, never its URL', async () => {
    const res = await post({ authorization: ALICE, 'x-trino-routing-group': 'dead' });
    expect(res.status).toBe(502);
    const text = await res.clone().text();
    expect(text).not.toContain(down.url);
    await expectShaped(res, 502, 'BACKEND_UNREACHABLE', /down.*refused/);
  });

  it('429: a user over budget is told which budget and what to do, with Retry-After', async () => {
    const first = (await (await post({ authorization: ALICE })).json()) as { nextUri: string };
    try {
      const res = await post({ authorization: ALICE });
      expect(res.headers.get('retry-after')).toBe('5');
      await expectShaped(res, 429, 'QUERY_QUEUE_FULL', /limit 1/);
    } finally {
      await fetch(first.nextUri, { method: 'DELETE', headers: { authorization: ALICE } });
    }
  });

  it('trino-js gets the message as the error response data', async () => {
    const { Trino, BasicAuth } = await import('trino-client');
    const trino = Trino.create({ server: gw.url, auth: new BasicAuth('alice', 'alice-pw') });
    const e = (await trino
      .query({ query: 'SELECT 1', extraHeaders: { 'X-Trino-Routing-Group': 'empty' } })
      .catch((err: unknown) => err)) as { response?: { status: number; data: { message: string } } };
    expect(e.response?.status).toBe(503);
    expect(e.response?.data.message).toContain('"empty"');
  });
});
