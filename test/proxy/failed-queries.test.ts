import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FailedQueries } from '../../src/proxy/failed-queries.js';
import { HandleCodec } from '../../src/proxy/handle-codec.js';
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

const slugOf = (nextUri: string) => new URL(nextUri).pathname.split('/')[5]!;

describe('a statement the gateway fails itself', () => {
  const codec = new HandleCodec('s3cret');

  it('is answered QUEUED with a nextUri on the gateway, whose poll gets the FAILED page', () => {
    const failed = new FailedQueries('https://gw.example', codec);
    const first = captured();
    failed.answerFirst(first.res, error);
    const page = JSON.parse(first.out.body!);
    expect(first.out.status).toBe(200);
    expect(FailedQueries.owns(page.id)).toBe(true);
    expect(page.nextUri).toMatch(
      new RegExp(`^https://gw\\.example/v1/statement/queued/${page.id}/[\\w-]+\\.[\\w-]+/1$`),
    );
    const poll = captured();
    failed.answerPoll(poll.res, 'GET', page.id, slugOf(page.nextUri));
    const last = JSON.parse(poll.out.body!);
    expect([poll.out.status, last.id, last.nextUri, last.stats.state]).toEqual([
      200,
      page.id,
      undefined,
      'FAILED',
    ]);
    expect(last.error).toMatchObject({
      message: 'Unknown transaction ID: t',
      errorName: 'UNKNOWN_TRANSACTION',
      errorCode: 20,
      errorType: 'USER_ERROR',
    });
  });

  it('keeps nothing: another replica with the same secret answers the poll, and a cancel with 204', () => {
    const first = captured();
    new FailedQueries('https://gw.example', codec).answerFirst(first.res, error);
    const page = JSON.parse(first.out.body!);
    const elsewhere = new FailedQueries('https://gw.example', new HandleCodec('s3cret'));
    const poll = captured();
    elsewhere.answerPoll(poll.res, 'GET', page.id, slugOf(page.nextUri));
    expect(JSON.parse(poll.out.body!).error.errorName).toBe('UNKNOWN_TRANSACTION');
    const cancel = captured();
    elsewhere.answerPoll(cancel.res, 'DELETE', page.id, slugOf(page.nextUri));
    expect(cancel.out.status).toBe(204);
  });

  it('answers 404 QUERY_NOT_FOUND to a slug forged, altered, moved to another id or sealed with another secret', () => {
    const failed = new FailedQueries('https://gw.example', codec);
    const first = captured();
    failed.answerFirst(first.res, error);
    const page = JSON.parse(first.out.body!);
    const slug = slugOf(page.nextUri);
    const [data, mac] = slug.split('.') as [string, string];
    const altered = Buffer.from(
      Buffer.from(data, 'base64url').toString().replace('Unknown transaction', 'Anything'),
    ).toString('base64url');
    const other = captured();
    new FailedQueries('https://gw.example', new HandleCodec('other')).answerFirst(other.res, error);
    const foreign = JSON.parse(other.out.body!);
    for (const [id, s] of [
      [page.id, 'failed'],
      [page.id, `${altered}.${mac}`],
      ['gateway_failed_0123456789abcdef', slug],
      [foreign.id, slugOf(foreign.nextUri)],
      [page.id, ''],
    ])
      expect(() => failed.answerPoll(captured().res, 'GET', id!, s!)).toThrow(
        expect.objectContaining({ status: 404, errorName: 'QUERY_NOT_FOUND' }),
      );
  });

  it('cuts a long message so the nextUri stays short', () => {
    const failed = new FailedQueries('https://gw.example', codec);
    const first = captured();
    failed.answerFirst(first.res, new GatewayError(503, 'NO_NODES_AVAILABLE', 'x'.repeat(50_000)));
    const page = JSON.parse(first.out.body!);
    expect(page.nextUri.length).toBeLessThan(1600);
    const poll = captured();
    failed.answerPoll(poll.res, 'GET', page.id, slugOf(page.nextUri));
    expect(JSON.parse(poll.out.body!).error.message).toBe('x'.repeat(1000));
  });

  it('never names a Trino query id as its own', () => {
    expect(FailedQueries.owns('20240101_000000_00001_abcde')).toBe(false);
  });
});
