import { z } from 'zod';

/**
 * Schemas of what the API answers, for the OpenAPI document only: answers are built by the route files
 * (backendView, groupView, …) and are not validated against these. Kept beside them by the route test,
 * which checks real answers of the main GET routes against them, field for field.
 */

export const errorBody = z.object({ message: z.string().describe('what was wrong, naming the field') });

export const deletedBody = z.object({ deleted: z.string() });

export const backendView = z.object({
  name: z.string(),
  url: z.string(),
  externalUrl: z.string().nullable(),
  group: z.string(),
  active: z.boolean(),
  weight: z.number().int(),
  catalogDriver: z.enum(['sql', 'rest']),
  processForwarded: z.boolean().describe('the cluster runs with http-server.process-forwarded=true'),
  forwardAuthorization: z
    .enum(['always', 'never'])
    .nullable()
    .describe("whether the cluster receives clients' credentials; null: auth.forwardAuthorization"),
  advertisedUrls: z.array(z.string()).describe('other origins the cluster puts in the URLs it builds'),
  health: z.enum(['UNKNOWN', 'PENDING', 'HEALTHY', 'UNHEALTHY']),
  healthDetail: z.string().nullable(),
  stats: z
    .object({
      runningQueries: z.number(),
      queuedQueries: z.number(),
      blockedQueries: z.number(),
      updatedAt: z.number(),
    })
    .nullable(),
  inFlight: z.number().int(),
  drained: z.boolean().describe('deactivated and no query of this gateway still running there'),
});

export const groupView = z.object({
  name: z.string(),
  policy: z.string(),
  fallback: z.string().nullable(),
  backends: z.array(z.string()),
});

export const userView = z.object({
  name: z.string(),
  groups: z.array(z.string()),
  roles: z.array(z.string()),
  defaultGroup: z.string().nullable(),
  impersonate: z.array(z.string()),
  source: z.enum(['config', 'api']),
});

const deploymentState = z.enum(['pending', 'applied', 'failed', 'dropping']);

export const catalogView = z.object({
  group: z.string(),
  name: z.string(),
  connector: z.string(),
  properties: z.record(z.string(), z.string()).describe('secret values masked as ***'),
  version: z.number().int(),
  status: z.enum(['present', 'dropping']),
  createdAt: z.number(),
  updatedAt: z.number(),
  deployments: z.array(
    z.object({
      backend: z.string(),
      state: deploymentState,
      specVersion: z.number().nullable(),
      error: z.string().nullable(),
    }),
  ),
});

export const changeResult = z.object({
  catalog: catalogView,
  outcomes: z.array(
    z.object({
      backend: z.string(),
      state: z.union([deploymentState, z.literal('dropped')]),
      error: z.string().optional(),
    }),
  ),
  applied: z.enum(['all', 'partial', 'none']),
});

export const historyRow = z.object({
  queryId: z.string(),
  user: z.string(),
  source: z.string().nullable(),
  clientAddress: z.string().nullable(),
  routingGroup: z.string(),
  rule: z.string().nullable(),
  policy: z.string().nullable(),
  backend: z.string(),
  sql: z.string().describe('catalog secrets redacted'),
  submittedAt: z.number(),
  finishedAt: z.number().nullable(),
  state: z.enum(['RUNNING', 'FINISHED', 'FAILED', 'CANCELED', 'ABANDONED', 'LOST']),
  errorName: z.string().nullable(),
  errorType: z.string().nullable(),
  errorMessage: z.string().nullable(),
  elapsedMs: z.number().nullable(),
  rows: z.number().nullable(),
  bytes: z.number().nullable(),
  clusterUiUrl: z.string().optional(),
});

export const historyPage = z.object({
  queries: z.array(historyRow),
  nextCursor: z.string().optional().describe('pass as ?cursor= for the next (older) page'),
});

/** trino-gateway's ProxyBackendConfiguration, as its API answers it. */
export const compatBackendView = z.object({
  name: z.string(),
  proxyTo: z.string(),
  active: z.boolean(),
  routingGroup: z.string(),
  externalUrl: z.string(),
});

export const publicBackendView = z.object({
  name: z.string(),
  active: z.boolean(),
  routingGroup: z.string(),
  proxyTo: z.string().optional().describe('authenticated callers only'),
  externalUrl: z.string().optional().describe('authenticated callers only'),
});

export const compatHistoryRow = z.object({
  queryId: z.string(),
  queryText: z.string(),
  user: z.string(),
  source: z.string().nullable(),
  backendUrl: z.string().nullable(),
  captureTime: z.number(),
  routingGroup: z.string(),
  externalUrl: z.string().nullable(),
});

export const explanation = z.object({
  decision: z.union([
    z.object({
      ok: z.literal(true),
      group: z.string(),
      source: z.enum(['header', 'rule', 'principal-default', 'config-default']),
      rule: z.string().optional(),
      skipped: z.array(z.object({ rule: z.string(), group: z.string(), reason: z.string() })).optional(),
    }),
    z.object({ ok: z.literal(false), status: z.number(), message: z.string() }),
  ]),
  facts: z.record(z.string(), z.unknown()),
  rules: z.array(
    z.object({
      name: z.string(),
      priority: z.number(),
      file: z.string(),
      line: z.number(),
      routeTo: z.string(),
      continue: z.boolean(),
      matched: z.boolean(),
      reasons: z.array(z.string()),
      effect: z.string().optional(),
    }),
  ),
  backend: z.string().nullable(),
});
