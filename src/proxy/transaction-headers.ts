import type { IncomingHttpHeaders } from 'node:http';
import { PRESTO, TRINO } from '../trino/headers.js';
import type { Affinity } from './affinity.js';

/**
 * noteTransaction keeps transaction affinity from a statement answer's headers: a started transaction
 * (X-Trino-Started-Transaction-Id) lives on the backend that answered; a cleared one is forgotten. Called
 * before the client sees the answer, so its next statement already finds the owner.
 */
export function noteTransaction(headers: IncomingHttpHeaders, backend: string, affinity: Affinity): void {
  const started = headers[TRINO.startedTransactionId] ?? headers[PRESTO.startedTransactionId];
  if (typeof started === 'string' && started) affinity.rememberTransaction(started, backend);
  const cleared = headers[TRINO.clearTransactionId] ?? headers[PRESTO.clearTransactionId];
  if (typeof cleared === 'string' && cleared) affinity.forgetTransaction(cleared);
}
