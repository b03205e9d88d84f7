import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ClusterErrorBody, isClusterTextError } from '../../src/proxy/cluster-error.js';

function answer(status: number, body: string) {
  const out: { status?: number; body?: string } = {};
  const res = {
    headersSent: false,
    statusMessage: '',
    getHeader: () => undefined,
    writeHead: (s: number) => (out.status = s),
    end: (b: string) => (out.body = b),
  } as unknown as ServerResponse;
  let done = 0;
  const b = new ClusterErrorBody({ statusCode: status, headers: {} }, res, 't1', () => done++);
  b.data(Buffer.from(body));
  b.end();
  return { status: out.status, error: JSON.parse(out.body!), done };
}

describe("a cluster's error in text or HTML on a statement path", () => {
  it('is told apart from Trino JSON and from success', () => {
    expect(isClusterTextError({ statusCode: 406, headers: { 'content-type': 'text/html' } })).toBe(true);
    expect(isClusterTextError({ statusCode: 400, headers: { 'content-type': 'application/json' } })).toBe(
      false,
    );
    expect(isClusterTextError({ statusCode: 200, headers: {} })).toBe(false);
  });

  it('becomes a 502 naming the cluster, its words and the setting, when the gateway setup caused it', () => {
    const html =
      '<html><body><h2>HTTP ERROR 406 Server configuration does not allow processing of the X-Forwarded-For header</h2></body></html>';
    const r = answer(406, html);
    expect(r.status).toBe(502);
    expect(r.error).toMatchObject({ errorName: 'BACKEND_REFUSED', errorType: 'EXTERNAL' });
    expect(r.error.message).toBe(
      'backend t1 answered 406: HTTP ERROR 406 Server configuration does not allow processing of the X-Forwarded-For header (see backends[].processForwarded)',
    );
    expect(answer(401, 'Password not allowed for insecure authentication').error.message).toContain(
      'backends[].forwardAuthorization',
    );
    expect(r.done).toBe(1);
  });

  it('keeps its status otherwise, a 404 or 410 being a query the cluster does not know', () => {
    expect(answer(404, 'Not Found')).toMatchObject({ status: 404, error: { errorName: 'QUERY_NOT_FOUND' } });
    expect(answer(500, 'boom')).toMatchObject({
      status: 500,
      error: { message: 'backend t1 answered 500: boom' },
    });
  });
});
