import { z } from 'zod';

const positiveInt = z.number().int().positive('must be a whole number above 0 (remove it for no limit)');

/**
 * The gateway's own queue for one routing group (admission control). Off unless configured: a group without
 * `queue` sends every query straight to a cluster, as before. With it, a query that would exceed a limit is
 * held by the gateway (Trino-shaped QUEUED pages) until a slot frees.
 */
export const queueSchema = z
  .object({
    /** Queries of this gateway running on one backend of the group at once. Default: no limit. */
    maxRunningPerBackend: positiveInt.optional(),
    /** Queries one user may run in the group at once (others of that user wait). Default: no limit. */
    perUserMaxRunning: positiveInt.optional(),
    /**
     * Queries the group holds waiting at most; one more fails at once with QUERY_QUEUE_FULL. Needs
     * maxRunningPerBackend (without it nothing waits for a backend). Default 1000.
     */
    maxQueued: positiveInt.optional(),
    /**
     * Seconds a query may wait in the queue, for a slot or for an available backend; then it fails (no
     * backend: NO_NODES_AVAILABLE, else EXCEEDED_TIME_LIMIT). Default 600.
     */
    maxQueuedSeconds: z.number().positive('must be above 0 seconds').max(86_400).optional(),
    /**
     * Seconds a queued query may go without a poll before it is dropped as abandoned (Trino's
     * query.client.timeout). Default: proxy.abandonAfterMinutes (5 minutes).
     */
    clientTimeoutSeconds: z.number().positive('must be above 0 seconds').max(86_400).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.maxQueued !== undefined && q.maxRunningPerBackend === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['maxQueued'],
        message: 'needs maxRunningPerBackend: without a per-backend limit no query waits for a backend',
      });
    if (q.maxRunningPerBackend === undefined && q.perUserMaxRunning === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'set maxRunningPerBackend or perUserMaxRunning, or remove queue (no queue is the default)',
      });
  });
