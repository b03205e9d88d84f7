import { z } from 'zod';
import { compatBackend } from '../schemas.js';
import { doc } from './describe.js';
import { compatBackendView, compatHistoryRow, publicBackendView } from './response-schemas.js';

const tag = 'compatibility';
const empty = 'done (empty body, as trino-gateway answers)';

/** OpenAPI descriptions of trino-gateway's API as compat-routes.ts and history-routes.ts serve it. */
export const compatDocs = {
  ping: doc({ tag, summary: 'trino-gateway liveness of the admin API (answers "ok")', responses: {} }),
  all: doc({
    tag,
    summary: 'Every backend (trino-gateway /gateway/backend/all)',
    responses: { 200: ['the backends', z.array(compatBackendView)] },
  }),
  active: doc({
    tag,
    summary: 'The active backends',
    responses: { 200: ['the backends', z.array(compatBackendView)] },
  }),
  activate: doc({
    tag,
    summary: 'Activate a backend',
    responses: { 200: empty, 404: 'no backend of that name (plain text)' },
  }),
  deactivate: doc({
    tag,
    summary: 'Deactivate (drain) a backend',
    responses: { 200: empty, 404: 'no backend of that name (plain text)' },
  }),
  add: doc({
    tag,
    summary: 'Add a backend; an unknown routing group is created with the default policy',
    body: compatBackend,
    responses: { 200: ['added', compatBackendView], 400: 'invalid body', 409: 'the backend exists' },
  }),
  update: doc({
    tag,
    summary: 'Update (or add) a backend',
    body: compatBackend,
    responses: { 200: ['the backend', compatBackendView], 400: 'invalid body' },
  }),
  delete: doc({
    tag,
    summary: 'Delete a backend',
    textBody: 'the backend name',
    responses: {
      200: empty,
      400: 'no name in the body',
      404: 'no backend of that name (plain text)',
      409: 'queries in flight: deactivate it first',
    },
  }),
  entities: doc({
    tag,
    summary: 'Entity types (only GATEWAY_BACKEND)',
    responses: { 200: ['the types', z.array(z.literal('GATEWAY_BACKEND'))] },
  }),
  entityList: doc({
    tag,
    summary: 'Entities of a type',
    responses: {
      200: ['the backends', z.array(compatBackendView)],
      400: 'type other than GATEWAY_BACKEND',
    },
  }),
  entityUpsert: doc({
    tag,
    summary: 'Add or update an entity',
    query: z.object({ entityType: z.literal('GATEWAY_BACKEND') }),
    body: compatBackend,
    responses: { 200: empty, 400: 'invalid body or entity type' },
  }),
  publicList: doc({
    tag,
    access: 'public',
    summary: 'Backends for anyone; internal URLs only for authenticated callers',
    responses: { 200: ['the backends', z.array(publicBackendView)] },
  }),
  publicOne: doc({
    tag,
    access: 'public',
    summary: 'One backend for anyone; internal URLs only for authenticated callers',
    responses: { 200: ['the backend', publicBackendView], 404: 'no backend of that name' },
  }),
  publicState: doc({
    tag,
    access: 'public',
    summary: 'Queued and running queries of a backend',
    responses: {
      200: ['the counts', z.object({ QUEUED: z.number(), RUNNING: z.number() })],
      404: 'no backend of that name',
    },
  }),
  queryHistory: doc({
    tag,
    access: 'user',
    summary: "The newest 2000 queries (the caller's own unless admin), trino-gateway's shape",
    responses: { 200: ['the queries', z.array(compatHistoryRow)] },
  }),
  queryHistoryDistribution: doc({
    tag,
    access: 'user',
    summary: 'How many of those queries each backend ran',
    responses: { 200: ['backend → count', z.record(z.string(), z.number())] },
  }),
};
