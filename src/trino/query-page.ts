import type { ServerResponse } from 'node:http';
import { requestIdOf } from '../observability/request-id.js';

/**
 * emptyQueryStats is QueryResults' `stats` for a query that never reached a cluster (held in the gateway's
 * queue, or failed by the gateway itself): its state and how long it waited, every counter zero.
 */
export function emptyQueryStats(state: 'QUEUED' | 'FAILED', waitedMs: number) {
  return {
    state,
    queued: state === 'QUEUED',
    scheduled: false,
    nodes: 0,
    totalSplits: 0,
    queuedSplits: 0,
    runningSplits: 0,
    completedSplits: 0,
    cpuTimeMillis: 0,
    wallTimeMillis: 0,
    queuedTimeMillis: waitedMs,
    elapsedTimeMillis: waitedMs,
    processedRows: 0,
    processedBytes: 0,
    physicalInputBytes: 0,
    peakMemoryBytes: 0,
    spilledBytes: 0,
  };
}

/**
 * sendQueryPage answers 200 with a statement page the gateway built itself. A response whose head already
 * went (the client got something else first) is cut off instead: a second answer would corrupt it.
 */
export function sendQueryPage(res: ServerResponse, body: string): void {
  if (res.headersSent) return void res.destroy();
  const id = requestIdOf(res);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(id ? { 'x-request-id': id } : {}),
  });
  res.end(body);
}
