import type { HeldFailure } from './held-query.js';

/** The queue's own failures, with Trino's error codes and types (io.trino.spi.StandardErrorCode). */

/** queueFull: the group holds maxQueued queries already (QUERY_QUEUE_FULL, 131074). */
export function queueFull(group: string, maxQueued: number): HeldFailure {
  return {
    errorName: 'QUERY_QUEUE_FULL',
    errorCode: 0x0002_0002,
    errorType: 'INSUFFICIENT_RESOURCES',
    message: `Too many queued queries for routing group "${group}" (maxQueued ${maxQueued})`,
  };
}

/** noBackendInTime: no backend of the group was available within maxQueuedSeconds (NO_NODES_AVAILABLE, 65541). */
export function noBackendInTime(group: string, maxQueuedMs: number): HeldFailure {
  return {
    errorName: 'NO_NODES_AVAILABLE',
    errorCode: 0x0001_0005,
    errorType: 'INTERNAL_ERROR',
    message: `no available backend in routing group "${group}" within maxQueuedSeconds (${maxQueuedMs / 1e3} s)`,
  };
}

/** waitedTooLong: the query waited for a slot past maxQueuedSeconds (EXCEEDED_TIME_LIMIT, 131075). */
export function waitedTooLong(group: string, maxQueuedMs: number): HeldFailure {
  return {
    errorName: 'EXCEEDED_TIME_LIMIT',
    errorCode: 0x0002_0003,
    errorType: 'INSUFFICIENT_RESOURCES',
    message: `query waited in the queue of routing group "${group}" longer than maxQueuedSeconds (${maxQueuedMs / 1e3} s)`,
  };
}
