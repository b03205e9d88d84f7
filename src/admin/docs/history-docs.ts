import { Hono } from 'hono';
import { z } from 'zod';
import { MAX_PAGE } from '../../history/history-routes.js';
import { compatDocs } from './compat-docs.js';
import { doc } from './describe.js';
import { historyPage, historyRow } from './response-schemas.js';

/**
 * The filters of GET /api/v1/queries as parseFilter (history-routes.ts) reads them. parseFilter is the
 * validator; this schema describes it for the document, and the route test checks each field is accepted.
 */
export const historyFilters = z.object({
  user: z.string().max(512).optional().describe("only this user's queries (non-admins: always their own)"),
  group: z.string().max(512).optional().describe('routing group'),
  backend: z.string().max(512).optional().describe('backend name'),
  state: z
    .enum(['RUNNING', 'FINISHED', 'FAILED', 'CANCELED', 'ABANDONED', 'LOST'])
    .optional()
    .describe('final state (any case)'),
  from: z.string().optional().describe('submitted at or after: epoch ms or an ISO-8601 time'),
  to: z.string().optional().describe('submitted at or before: epoch ms or an ISO-8601 time'),
  q: z.string().max(512).optional().describe('SQL text contains'),
  cursor: z.string().optional().describe('nextCursor of the previous page'),
  limit: z.number().int().min(1).max(MAX_PAGE).default(50).optional().describe('rows per page'),
});

const tag = 'query history';

/**
 * historyDocs describes the history routes. history-routes.ts is shared with the history work, so the
 * descriptions are routes of their own, mounted just before it: each calls next() into the real handler.
 */
export function historyDocs(): Hono {
  const app = new Hono();
  const pass = (c: unknown, next: () => Promise<void>) => next();
  app.get(
    '/api/v1/queries',
    doc({
      tag,
      access: 'user',
      summary: 'Query history, newest first, with filters and cursor paging',
      query: historyFilters,
      responses: { 200: ['a page of queries', historyPage], 400: 'a filter is invalid (named)' },
    }),
    pass,
  );
  app.get(
    '/api/v1/queries/:id',
    doc({
      tag,
      access: 'user',
      summary: 'One query of the history (non-admins: their own only)',
      responses: { 200: ['the query', historyRow], 404: 'no such query (or not yours)' },
    }),
    pass,
  );
  app.get('/api/queryHistory', compatDocs.queryHistory, pass);
  app.get('/api/queryHistoryDistribution', compatDocs.queryHistoryDistribution, pass);
  return app;
}
