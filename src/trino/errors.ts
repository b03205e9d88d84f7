import { requestIdOf } from '../observability/request-id.js';
import { emptyQueryStats, sendQueryPage } from './query-page.js';

/**
 * Errors the gateway itself answers on protocol paths, in the shape of Trino's QueryError
 * (io.trino.client.QueryError: message, errorCode, errorName, errorType), so clients print a
 * Trino-style error rather than HTML or an empty body.
 */
export type ErrorType = 'USER_ERROR' | 'INTERNAL_ERROR' | 'INSUFFICIENT_RESOURCES' | 'EXTERNAL';

export interface GatewayErrorBody {
  message: string;
  errorCode: number;
  errorName: string;
  errorType: ErrorType;
}

/** A failure at the edge: one type, mapped to a status and a Trino-shaped body. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
    readonly errorType: ErrorType = status >= 500 ? 'EXTERNAL' : 'USER_ERROR',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  body(): GatewayErrorBody {
    return {
      message: this.message,
      errorCode: ERROR_CODES[this.errorName] ?? 0,
      errorName: this.errorName,
      errorType: this.errorType,
    };
  }
}

/**
 * Codes of Trino's StandardErrorCode (io.trino.spi.StandardErrorCode) for the names it defines, checked
 * against its source (test/trino/errors.test.ts); the gateway's own names use the 0x0600_0000 range, past
 * what Trino leaves to connectors (0x0100_0000 and up are theirs), so no client takes one for Trino's.
 */
export const ERROR_CODES: Readonly<Record<string, number>> = {
  GENERIC_USER_ERROR: 0,
  PERMISSION_DENIED: 4,
  NOT_FOUND: 5,
  NOT_SUPPORTED: 13,
  UNKNOWN_TRANSACTION: 20,
  QUERY_TEXT_TOO_LARGE: 35,
  GENERIC_INTERNAL_ERROR: 65536,
  NO_NODES_AVAILABLE: 65541,
  QUERY_QUEUE_FULL: 131074,
  AUTHENTICATION_FAILED: 0x0600_0001,
  BACKEND_UNREACHABLE: 0x0600_0002,
  BACKEND_TIMEOUT: 0x0600_0003,
  QUERY_NOT_FOUND: 0x0600_0004,
  BAD_REQUEST: 0x0600_0005,
  RATE_LIMITED: 0x0600_0006,
  BACKEND_REFUSED: 0x0600_0007,
  BACKEND_ERROR: 0x0600_0008,
  SERVER_BUSY: 0x0600_0009,
};

/**
 * writeTrinoError answers a raw node response with a Trino-shaped error, unless headers already went. The
 * reason phrase carries the message too: StatementClientV1 (JDBC, CLI) shows only the reason phrase of a
 * 401 ("Authentication failed: …").
 */
export function writeTrinoError(res: import('node:http').ServerResponse, err: GatewayError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(err.body());
  const id = requestIdOf(res);
  res.statusMessage = reasonPhrase(err.message);
  res.writeHead(err.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(id ? { 'x-request-id': id } : {}),
    ...err.headers,
  });
  res.end(body);
}

/** reasonPhrase is a message fit for an HTTP status line: printable ASCII, one line, at most 200 characters. */
function reasonPhrase(message: string): string {
  return (
    message
      .replace(/[^\x20-\x7e]+/g, ' ')
      .slice(0, 200)
      .trim() || 'Error'
  );
}

/**
 * writeQueryPage answers a statement request with a page of a query the gateway fails itself, in Trino's
 * QueryResults shape, HTTP 200 (the way Trino fails a statement). With `nextUri`, the page is QUEUED and
 * leads to the FAILED page, as Trino's first answer always does: trino-js reads neither data nor error
 * of a first answer, so a failure must come on a page after it. Without, it is the FAILED page with the
 * error. Used where a 4xx or 5xx status would be wrong: a statement that may already run on a cluster (a
 * 502/503/504 would make trino-python-client POST it again), and an unknown transaction (Trino fails the
 * query).
 */
export function writeQueryPage(
  res: import('node:http').ServerResponse,
  page: { queryId: string; publicUrl: string; error: GatewayError; nextUri?: string },
): void {
  const { error, nextUri } = page;
  const body = JSON.stringify({
    id: page.queryId,
    infoUri: `${page.publicUrl}/ui/`,
    ...(nextUri ? { nextUri } : {}),
    stats: emptyQueryStats(nextUri ? 'QUEUED' : 'FAILED', 0),
    ...(nextUri
      ? {}
      : {
          error: {
            ...error.body(),
            failureInfo: {
              type: 'io.trino.gateway.GatewayError',
              message: error.message,
              suppressed: [],
              stack: [],
            },
          },
        }),
    warnings: [],
  });
  sendQueryPage(res, body);
}
