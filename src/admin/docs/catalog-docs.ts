import { z } from 'zod';
import { catalogInput, catalogReplace, seedAdd } from '../catalog-schemas.js';
import { doc, type Answer } from './describe.js';
import { catalogView, changeResult } from './response-schemas.js';

const tag = 'catalogs';
const bad = 'invalid name, connector or property; `message` names the field';

/** The answers of a broadcast change: how many backends of the group reached the desired state. */
const change = (done: 200 | 201): Record<number, Answer> => ({
  [done]: ['every backend of the group reached the desired state', changeResult],
  202: ['stored; no backend reached it yet (pending or failed, reconciled later)', changeResult],
  207: ['stored; some backends reached it, the others are pending or failed', changeResult],
  400: bad,
});

const group = z.object({
  group: z.string().optional().describe('routing group; default: the configured default group'),
});

/** OpenAPI descriptions of the routes in catalog-routes.ts. */
export const catalogDocs = {
  list: doc({
    tag,
    summary: 'Catalogs with their per-backend deployment state',
    query: z.object({ group: z.string().optional().describe('only this routing group') }),
    responses: { 200: ['the catalogs', z.array(catalogView)], 404: 'unknown group' },
  }),
  get: doc({
    tag,
    summary: 'One catalog',
    responses: { 200: ['the catalog', catalogView], 404: 'no such catalog' },
  }),
  create: doc({
    tag,
    summary: 'Create a catalog on every backend of a group (CREATE CATALOG)',
    body: catalogInput,
    responses: { ...change(201), 404: 'unknown group', 409: 'the catalog exists' },
  }),
  replace: doc({
    tag,
    summary: "Replace a catalog's properties (drop and create on every backend)",
    body: catalogReplace,
    responses: { ...change(200), 404: 'no such catalog' },
  }),
  delete: doc({
    tag,
    summary: 'Drop a catalog from every backend of the group',
    responses: { ...change(200), 404: 'no such catalog' },
  }),
  reconcile: doc({
    tag,
    summary: 'Compare every backend with the desired state now and apply the difference',
    responses: { 200: ['the catalogs afterwards', z.array(catalogView)] },
  }),
  seedAdd: doc({
    tag: 'compatibility',
    summary: 'Seed-compatible catalog add (same as POST /api/v1/catalogs)',
    query: group,
    body: seedAdd,
    responses: { ...change(201), 404: 'unknown group', 409: 'the catalog exists' },
  }),
  seedDelete: doc({
    tag: 'compatibility',
    summary: 'Seed-compatible catalog drop',
    query: group.extend({ catalogName: z.string().describe('the catalog to drop') }),
    responses: { ...change(200), 404: 'no such catalog' },
  }),
};
