import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FailedQueries } from '../../src/proxy/failed-queries.js';
import { GatewayError } from '../../src/trino/errors.js';

function captured() {
  const out: { status?: number; body?: string } = {};
  const res = {
    headersSent: false,
    getHeader: () => undefined,
    writeHead(status: number) {
      out.status = status;
      return this;
    },
    end: (b?: string) => (out.body = b),
  };
  return { res: res as unknown as ServerResponse, out };
}

const error = new GatewayError(200, 'UNKNOWN_TRANSACTION', 'Unknown transaction ID: t', 'USER_ERROR');

describe('a statement the gateway fails itself', () => {
  it('is answered QUEUED with a nextUri on the gateway, whose poll gets the FAILED page once', () => {
    const failed = new FailedQueries('https://gw.example');
    const first = captured();
    failed.answerFirst(first.res, error);
    const page = JSON.parse(first.out.body!);
    expect(first.out.status).toBe(200);
    expect(FailedQueries.owns(page.id)).toBe(true);
    expect(page.nextUri).toBe(`https://gw.example/v1/statement/queued/${page.id}/failed/1`);
    const poll = captured();
    failed.answerPoll(poll.res, 'GET', page.id);
    const last = JSON.parse(poll.out.body!);
    expect([poll.out.status, last.id, last.nextUri, last.stats.state]).toEqual([
      200,
      page.id,
      undefined,
      'FAILED',
    ]);
    expect(last.error).toMatchObject({
      errorName: 'UNKNOWN_TRANSACTION',
      errorCode: 20,
      errorType: 'USER_ERROR',
    });
    expect(() => failed.answerPoll(captured().res, 'GET', page.id)).toThrow(/not known to this gateway/);
  });

  it('takes a cancel with 204, and forgets what waited longer than a minute', () => {
    const failed = new FailedQueries('https://gw.example');
    const ids: string[] = [];
    for (const at of [0, 70_000]) {
      const c = captured();
      failed.answerFirst(c.res, error, at);
      ids.push(JSON.parse(c.out.body!).id);
    }
    expect(() => failed.answerPoll(captured().res, 'GET', ids[0]!)).toThrow(GatewayError);
    const cancel = captured();
    failed.answerPoll(cancel.res, 'DELETE', ids[1]!);
    expect(cancel.out.status).toBe(204);
  });

  it('never names a Trino query id as its own', () => {
    expect(FailedQueries.owns('20240101_000000_00001_abcde')).toBe(false);
  });
});
