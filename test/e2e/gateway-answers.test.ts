import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoEmulator } from '../helpers/trino-emulator/index.js';
import { passwordAuth, startGateway, testConfig, type TestGateway } from '../helpers/start-gateway.js';
import { failedQuery } from '../helpers/failed-query.js';
import { pythonClient, statementClientV1 } from '../helpers/protocol-clients.js';
import { ERROR_CODES } from '../../src/trino/errors.js';

/**
 * The answers the gateway makes itself, as each client reads them (README, "Answers the gateway makes"):
 * every one is Trino's QueryError JSON with the message, and the message is in the reason phrase too;
 * trino-js (npm trino-client) gets it as the error's response data. A refusal of a statement (no backend,
 * a refusing cluster, a user over budget) and a statement that may have run (upstream-failures.test.ts) are
 * failed queries instead, as Trino fails a query it cannot start: every client shows their message.
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

  /** expectFailed checks a refusal answered as Trino fails a query it cannot start (HTTP 200, then FAILED). */
  async function expectFailed(res: Response, errorName: string, errorType: string, words: RegExp) {
    const error = await failedQuery(res, { authorization: ALICE });
    expect(error).toMatchObject({ errorName, errorType, message: expect.stringMatching(words) });
    expect(error.errorCode).toBe(ERROR_CODES[errorName]);
    return error;
  }

  it('no backend (a statement that never reached a cluster): a failed NO_NODES_AVAILABLE naming the group and what chose it', async () => {
    const res = await post({ authorization: ALICE, 'x-trino-routing-group': 'empty' });
    await expectFailed(res, 'NO_NODES_AVAILABLE', 'INTERNAL_ERROR', /"empty".*X-Trino-Routing-Group/);
  });

  it('a statement refused before it ran: a failed BACKEND_UNREACHABLE naming the cluster, never its URL', async () => {
    const res = await post({ authorization: ALICE, 'x-trino-routing-group': 'dead' });
    const error = await expectFailed(res, 'BACKEND_UNREACHABLE', 'EXTERNAL', /down.*refused/);
    expect(error.message).not.toContain(down.url);
  });

  it('a user over budget: a failed QUERY_QUEUE_FULL naming the budget and what to do', async () => {
    const first = (await (await post({ authorization: ALICE })).json()) as { nextUri: string };
    try {
      await expectFailed(
        await post({ authorization: ALICE }),
        'QUERY_QUEUE_FULL',
        'INSUFFICIENT_RESOURCES',
        /limit 1/,
      );
    } finally {
      await fetch(first.nextUri, { method: 'DELETE', headers: { authorization: ALICE } });
    }
  });

  it('trino-js gets the message as the query error', async () => {
    const { Trino, BasicAuth } = await import('trino-client');
    const trino = Trino.create({ server: gw.url, auth: new BasicAuth('alice', 'alice-pw') });
    const iter = await trino.query({ query: 'SELECT 1', extraHeaders: { 'X-Trino-Routing-Group': 'empty' } });
    const errors: Array<{ errorName?: string; message?: string }> = [];
    for await (const page of iter) if (page.error) errors.push(page.error);
    expect(errors).toMatchObject([
      { errorName: 'NO_NODES_AVAILABLE', message: expect.stringContaining('"empty"') },
    ]);
  });

  it.each([
    ['no backend', { 'x-trino-routing-group': 'empty' }, 'NO_NODES_AVAILABLE', /"empty"/],
    ['a refusing cluster', { 'x-trino-routing-group': 'dead' }, 'BACKEND_UNREACHABLE', /down/],
  ])(
    'StatementClientV1 and trino-python-client show the message of %s, each POSTing once',
    async (_case, extra, errorName, words) => {
      const headers = { authorization: ALICE, ...extra };
      const java = await statementClientV1(gw.url, 'SELECT 1', headers);
      expect(java).toMatchObject({ posts: 1, errorName, shown: expect.stringMatching(words) });
      expect(java.shown).toMatch(/^Query failed \(#gateway_failed_/);
      // A 502/503 would be POSTed three times and shown as "error 503: service unavailable".
      const py = await pythonClient(gw.url, 'SELECT 1', headers);
      expect(py).toMatchObject({ posts: 1, errorName, shown: expect.stringMatching(words) });
      expect(py.shown).toMatch(/^TrinoQueryError\(type=(INTERNAL_ERROR|EXTERNAL), name=/);
    },
  );

  it('StatementClientV1 and trino-python-client show the budget that refused a query', async () => {
    const first = (await (await post({ authorization: ALICE })).json()) as { nextUri: string };
    try {
      const java = await statementClientV1(gw.url, 'SELECT 1', { authorization: ALICE });
      expect(java).toMatchObject({
        posts: 1,
        errorName: 'QUERY_QUEUE_FULL',
        shown: expect.stringMatching(/limit 1/),
      });
      const py = await pythonClient(gw.url, 'SELECT 1', { authorization: ALICE });
      expect(py).toMatchObject({
        posts: 1,
        errorName: 'QUERY_QUEUE_FULL',
        shown: expect.stringMatching(/limit 1/),
      });
    } finally {
      await fetch(first.nextUri, { method: 'DELETE', headers: { authorization: ALICE } });
    }
  });
});
