import { describe, expect, it } from 'vitest';
import { noBackendInTime, queueFull, waitedTooLong } from '../../src/queue/queue-failures.js';

describe('the queue’s failures', () => {
  it('queueFull is Trino’s QUERY_QUEUE_FULL, naming the group and its maxQueued', () => {
    expect(queueFull('etl', 50)).toEqual({
      errorName: 'QUERY_QUEUE_FULL',
      errorCode: 131074,
      errorType: 'INSUFFICIENT_RESOURCES',
      message: 'Too many queued queries for routing group "etl" (maxQueued 50)',
    });
  });

  it('noBackendInTime is NO_NODES_AVAILABLE, giving maxQueuedSeconds in seconds', () => {
    expect(noBackendInTime('adhoc', 1500)).toEqual({
      errorName: 'NO_NODES_AVAILABLE',
      errorCode: 65541,
      errorType: 'INTERNAL_ERROR',
      message: 'no available backend in routing group "adhoc" within maxQueuedSeconds (1.5 s)',
    });
  });

  it('waitedTooLong is EXCEEDED_TIME_LIMIT, giving maxQueuedSeconds in seconds', () => {
    expect(waitedTooLong('adhoc', 300_000)).toEqual({
      errorName: 'EXCEEDED_TIME_LIMIT',
      errorCode: 131075,
      errorType: 'INSUFFICIENT_RESOURCES',
      message: 'query waited in the queue of routing group "adhoc" longer than maxQueuedSeconds (300 s)',
    });
  });
});
