import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { FailedQueries, QueryFailure } from '../../src/proxy/failed-queries.js';
import { HandleCodec } from '../../src/proxy/handle-codec.js';
import { answerError, answerSubmissionLost, answerUpstreamFailure } from '../../src/proxy/failure-answer.js';
import { GatewayError } from '../../src/trino/errors.js';

function setup() {
  const seen: string[] = [];
  const d = {
    metrics: { upstreamErrors: { inc: (l: { kind: string }) => seen.push(`metric ${l.kind}`) } },
    logger: { debug: () => seen.push('debug'), error: () => seen.push('error') },
    onUpstreamFailure: (b: string, kind: string) => seen.push(`health ${b} ${kind}`),
    failed: new FailedQueries('https://gw.example', new HandleCodec('s3cret')),
  } as never;
  const out: { status?: number; body?: string } = {};
  const res = {
    headersSent: false,
    statusMessage: '',
    getHeader: () => undefined,
    writeHead: (s: number) => (out.status = s),
    end: (b: string) => (out.body = b),
  } as unknown as ServerResponse;
  return { d, res, out, seen, json: () => JSON.parse(out.body!) };
}
const b = { name: 't1', group: 'adhoc' } as Backend;

describe('answers to failures', () => {
  it.each([
    ['refused', 502, ['metric refused', 'health t1 refused']],
    ['reset', 502, ['metric reset', 'health t1 reset']],
    ['timeout', 504, ['metric timeout']],
  ] as const)(
    'a %s backend is a %i, metered, refusals and resets told to passive health',
    (kind, status, seen) => {
      const t = setup();
      answerUpstreamFailure(t.d, t.res, b, kind);
      expect(t.out.status).toBe(status);
      expect(t.seen).toEqual(seen);
    },
  );

  it("a backend's own 503 is the no-backend 503; a client that left gets nothing", () => {
    const t = setup();
    answerUpstreamFailure(t.d, t.res, b, 'unavailable');
    expect([t.out.status, t.json().errorName]).toEqual([503, 'NO_NODES_AVAILABLE']);
    const gone = setup();
    answerUpstreamFailure(gone.d, gone.res, b, 'client-gone');
    expect([gone.out.status, gone.seen]).toEqual([undefined, ['debug']]);
  });

  it('a submission lost after it went is a failed query (200) saying it was not sent again', () => {
    const t = setup();
    answerSubmissionLost(t.d, t.res, b, 'timeout');
    expect(t.out.status).toBe(200);
    expect(t.json().stats.state).toBe('QUEUED');
  });

  it('what a handler threw: a QueryFailure as a failed query, a GatewayError as it is, else a logged 500', () => {
    const f = setup();
    answerError(f.d, f.res, new QueryFailure(200, 'UNKNOWN_TRANSACTION', 'x', 'USER_ERROR'));
    expect([f.out.status, FailedQueries.owns(f.json().id)]).toEqual([200, true]);
    const g = setup();
    answerError(g.d, g.res, new GatewayError(403, 'PERMISSION_DENIED', 'no'));
    expect([g.out.status, g.json().message]).toEqual([403, 'no']);
    const e = setup();
    answerError(e.d, e.res, new TypeError('bug'));
    expect([e.out.status, e.json().message, e.seen]).toEqual([500, 'internal gateway error', ['error']]);
  });
});
