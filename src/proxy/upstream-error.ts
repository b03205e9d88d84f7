import { GatewayError } from '../trino/errors.js';

export type UpstreamFailureKind = 'refused' | 'reset' | 'timeout' | 'other';

/** kindOf names a transport failure talking to a backend (node:http's errno codes and undici's own). */
export function kindOf(err: NodeJS.ErrnoException, timedOut: boolean): UpstreamFailureKind {
  if (timedOut) return 'timeout';
  switch (err.code) {
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'UND_ERR_SOCKET': // undici: the backend closed the connection mid-exchange
      return 'reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timeout';
    default:
      return 'other';
  }
}

/**
 * toGatewayError is the one mapping from transport failures to statuses: refused/reset → 502,
 * timeout → 504. (A client that went away is not answered at all; the caller only logs it.)
 * The message names the backend, never its internal URL.
 */
export function toGatewayError(kind: UpstreamFailureKind, backend: string): GatewayError {
  if (kind === 'timeout')
    return new GatewayError(504, 'BACKEND_TIMEOUT', `backend ${backend} did not answer in time`, 'EXTERNAL');
  return new GatewayError(
    502,
    'BACKEND_UNREACHABLE',
    `backend ${backend} is unreachable (${kind === 'refused' ? 'connection refused' : kind === 'reset' ? 'connection reset' : 'transport error'})`,
    'EXTERNAL',
  );
}
