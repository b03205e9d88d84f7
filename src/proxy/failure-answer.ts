import type { ServerResponse } from 'node:http';
import type { Backend } from '../backends/backend.js';
import { queryOf, requestIdOf } from '../observability/request-id.js';
import { GatewayError, writeTrinoError } from '../trino/errors.js';
import { QueryFailure } from './failed-queries.js';
import type { ForwardOutcome } from './forward.js';
import { noBackend } from './no-backend.js';
import type { ProxyContext } from './proxy-deps.js';
import { toGatewayError, type UpstreamFailureKind } from './upstream-error.js';

type Failure = Extract<ForwardOutcome, { ok: false }>['kind'];
type FailureDeps = Pick<ProxyContext, 'metrics' | 'logger' | 'onUpstreamFailure' | 'failed'>;

/**
 * answerUpstreamFailure answers a request a backend did not answer: refused/reset → 502, timeout → 504
 * (upstream-error.ts), a 503 it refused with → the no-backend 503; refusals and resets go to passive
 * health. A client that went away gets nothing, only a debug line.
 */
export function answerUpstreamFailure(d: FailureDeps, res: ServerResponse, b: Backend, kind: Failure): void {
  if (kind === 'client-gone') {
    d.logger.debug({ reqId: requestIdOf(res), ...queryOf(res), backend: b.name }, 'client went away');
    return;
  }
  writeTrinoError(res, upstreamRefusal(d, b, kind));
}

/**
 * upstreamRefusal counts a request a backend did not answer (refusals and resets go to passive health) and
 * returns the error that says so: a 503 the backend refused with is the no-backend 503.
 */
export function upstreamRefusal(
  d: FailureDeps,
  b: Backend,
  kind: Exclude<Failure, 'client-gone'>,
): GatewayError {
  if (kind === 'unavailable') return noBackend(b.group, undefined, b.name);
  d.metrics.upstreamErrors.inc({ backend: b.name, kind });
  if (kind === 'refused' || kind === 'reset') d.onUpstreamFailure?.(b.name, kind);
  return toGatewayError(kind, b.name);
}

/**
 * answerSubmissionLost answers a submission whose cluster broke off or timed out after the statement
 * went: it may run, so the answer is a failed query (HTTP 200, failed-queries.ts), never a status that makes a client POST
 * it again (trino-python-client retries a POST on 502, 503 and 504).
 */
export function answerSubmissionLost(
  d: FailureDeps,
  res: ServerResponse,
  b: Backend,
  kind: UpstreamFailureKind,
): void {
  d.metrics.upstreamErrors.inc({ backend: b.name, kind });
  if (kind === 'reset') d.onUpstreamFailure?.(b.name, kind);
  const e = toGatewayError(kind, b.name);
  const err = new GatewayError(
    e.status,
    e.errorName,
    `${e.message}; the statement may have started there, so it was not sent again`,
    e.errorType,
  );
  d.failed.answerFirst(res, err);
}

/**
 * answerError answers what a request handler threw: a QueryFailure as a failed query, a GatewayError as it
 * is, anything else as a logged 500.
 */
export function answerError(
  d: Pick<ProxyContext, 'logger' | 'failed'>,
  res: ServerResponse,
  e: unknown,
): void {
  if (e instanceof QueryFailure) return d.failed.answerFirst(res, e);
  if (e instanceof GatewayError) return writeTrinoError(res, e);
  d.logger.error(
    { reqId: res.getHeader('x-request-id'), err: (e as Error)?.stack ?? String(e) },
    'protocol request failed',
  );
  writeTrinoError(
    res,
    new GatewayError(500, 'GENERIC_INTERNAL_ERROR', 'internal gateway error', 'INTERNAL_ERROR'),
  );
}
