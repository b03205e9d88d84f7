import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, GatewayError, writeQueryPage, writeTrinoError } from '../../src/trino/errors.js';

/** io.trino.spi.StandardErrorCode, as in Trino's source, for every standard name the gateway answers with. */
const TRINO = {
  GENERIC_USER_ERROR: 0,
  PERMISSION_DENIED: 4,
  NOT_FOUND: 5,
  NOT_SUPPORTED: 13,
  UNKNOWN_TRANSACTION: 20,
  QUERY_TEXT_TOO_LARGE: 35,
  GENERIC_INTERNAL_ERROR: 65536,
  NO_NODES_AVAILABLE: 65541,
  QUERY_QUEUE_FULL: 131074,
};

function captured() {
  const out: { status?: number; reason?: string; headers?: Record<string, unknown>; body?: string } = {};
  const res = {
    headersSent: false,
    statusMessage: '',
    getHeader: () => undefined,
    writeHead(status: number, headers: Record<string, unknown>) {
      out.status = status;
      out.reason = this.statusMessage;
      out.headers = headers;
    },
    end: (b: string) => (out.body = b),
    destroy: () => (out.body = 'destroyed'),
  };
  return { res: res as unknown as ServerResponse, out };
}

describe("the gateway's error codes", () => {
  it("use Trino's StandardErrorCode for each standard name", () => {
    for (const [name, code] of Object.entries(TRINO)) expect([name, ERROR_CODES[name]]).toEqual([name, code]);
  });

  it("keep the gateway's own names out of Trino's and the connectors' ranges, each code once", () => {
    const own = Object.entries(ERROR_CODES).filter(([n]) => !(n in TRINO));
    for (const [name, code] of own) expect([name, code >= 0x0600_0000]).toEqual([name, true]);
    const codes = Object.values(ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('a Trino-shaped error answer', () => {
  it('carries QueryError fields, the status, its headers, and the message in the reason phrase', () => {
    const { res, out } = captured();
    writeTrinoError(
      res,
      new GatewayError(429, 'QUERY_QUEUE_FULL', 'wait\nnow', 'INSUFFICIENT_RESOURCES', {
        'retry-after': '5',
      }),
    );
    expect(out.status).toBe(429);
    expect(out.reason).toBe('wait now');
    expect(out.headers).toMatchObject({
      'retry-after': '5',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(JSON.parse(out.body!)).toEqual({
      message: 'wait\nnow',
      errorCode: 131074,
      errorName: 'QUERY_QUEUE_FULL',
      errorType: 'INSUFFICIENT_RESOURCES',
    });
  });

  it('closes the connection when the head already went', () => {
    const { res, out } = captured();
    (res as { headersSent: boolean }).headersSent = true;
    writeTrinoError(res, new GatewayError(502, 'BACKEND_UNREACHABLE', 'gone'));
    expect(out.body).toBe('destroyed');
  });

  it('for a statement the gateway fails is a query page (200): QUEUED leading on, then FAILED with the error', () => {
    const error = new GatewayError(504, 'BACKEND_TIMEOUT', 'slow');
    const first = captured();
    const nextUri = 'https://gw.example/v1/statement/queued/gateway_failed_1/failed/1';
    writeQueryPage(first.res, {
      queryId: 'gateway_failed_1',
      publicUrl: 'https://gw.example',
      error,
      nextUri,
    });
    expect(first.out.status).toBe(200);
    const queued = JSON.parse(first.out.body!);
    expect([queued.id, queued.nextUri, queued.stats.state, queued.error]).toEqual([
      'gateway_failed_1',
      nextUri,
      'QUEUED',
      undefined,
    ]);
    const last = captured();
    writeQueryPage(last.res, { queryId: 'gateway_failed_1', publicUrl: 'https://gw.example', error });
    const failed = JSON.parse(last.out.body!);
    expect([last.out.status, failed.nextUri, failed.stats.state]).toEqual([200, undefined, 'FAILED']);
    expect(failed.error).toMatchObject({
      errorName: 'BACKEND_TIMEOUT',
      message: 'slow',
      errorType: 'EXTERNAL',
      errorCode: 0x0600_0003,
    });
  });
});
