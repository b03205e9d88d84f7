import { Hono, type Context } from 'hono';
import { CatalogError, type CatalogService, type ChangeResult } from '../catalogs/catalog-service.js';
import {
  CatalogInputError,
  validateCatalogName,
  validateConnectorName,
  validateProperties,
} from '../catalogs/identifiers.js';
export { catalogInput, catalogReplace } from './catalog-schemas.js';
import { apiError } from './admin-routes.js';
import { catalogInput, catalogReplace, seedAdd } from './catalog-schemas.js';
import { catalogDocs as docs } from './docs/catalog-docs.js';
import { BadRequest, readBody, type AppEnv } from './http.js';

/**
 * HTTP status of a change: every backend of the group reached the desired state → 201 (create) or 200;
 * some did → 207; none did (stored; backends pending or failed, reconciled later) → 202.
 */
function statusOf(r: ChangeResult, created: boolean): 200 | 201 | 202 | 207 {
  if (r.applied === 'all') return created ? 201 : 200;
  return r.applied === 'partial' ? 207 : 202;
}

/** The native API's field names for the validators' (seed-format) ones. */
const NATIVE_FIELDS: Record<string, string> = { catalogName: 'name', connectorName: 'connector' };

/** validated runs the catalog validators, turning their errors into 400s that name the field. */
function validated<T>(fn: () => T, fields: Record<string, string> = {}): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof CatalogInputError)) throw e;
    const field = fields[e.field];
    throw new BadRequest(field ? field + e.message.slice(e.field.length) : e.message);
  }
}

function catalogError(c: Context, e: unknown): Response {
  if (e instanceof CatalogError) return c.json({ message: e.message }, e.status);
  return apiError(c, e);
}

/**
 * Catalog broadcast API (admin role, checked in front): /api/v1/catalogs and the seed-compatible
 * POST /v1/catalog/add and DELETE /v1/catalog/delete. Inputs are validated before anything is stored or sent.
 */
export function catalogRoutes(service: () => CatalogService, defaultGroup: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const user = (c: Context<AppEnv>) => c.get('principal').name;
  const group = (g: string | undefined) => (g === undefined || g === '' ? defaultGroup : g);

  app.get('/api/v1/catalogs', docs.list, (c) => {
    try {
      return c.json(service().list(c.req.query('group') || undefined));
    } catch (e) {
      return catalogError(c, e);
    }
  });
  app.get('/api/v1/catalogs/:group/:name', docs.get, (c) => {
    try {
      return c.json(service().get(c.req.param('group'), c.req.param('name').toLowerCase()));
    } catch (e) {
      return catalogError(c, e);
    }
  });
  app.post('/api/v1/catalogs', docs.create, async (c) => {
    try {
      const b = await readBody(c, catalogInput);
      const [name, connector, props] = validated(
        () =>
          [
            validateCatalogName(b.name),
            validateConnectorName(b.connector),
            validateProperties(b.properties ?? {}),
          ] as const,
        NATIVE_FIELDS,
      );
      const r = await service().create(group(b.group), name, connector, props, user(c));
      return c.json(r, statusOf(r, true));
    } catch (e) {
      return catalogError(c, e);
    }
  });
  app.put('/api/v1/catalogs/:group/:name', docs.replace, async (c) => {
    try {
      const b = await readBody(c, catalogReplace);
      const [name, connector, props] = validated(
        () =>
          [
            validateCatalogName(c.req.param('name')),
            b.connector === undefined ? undefined : validateConnectorName(b.connector),
            validateProperties(b.properties),
          ] as const,
        NATIVE_FIELDS,
      );
      const r = await service().replace(c.req.param('group'), name, connector, props, user(c));
      return c.json(r, statusOf(r, false));
    } catch (e) {
      return catalogError(c, e);
    }
  });
  app.delete('/api/v1/catalogs/:group/:name', docs.delete, async (c) => {
    try {
      const name = validated(() => validateCatalogName(c.req.param('name')), NATIVE_FIELDS);
      const r = await service().delete(c.req.param('group'), name, user(c));
      return c.json(r, statusOf(r, false));
    } catch (e) {
      return catalogError(c, e);
    }
  });
  app.post('/api/v1/catalogs/reconcile', docs.reconcile, async (c) => {
    await service().reconcileAll();
    return c.json(service().list());
  });

  app.post('/v1/catalog/add', docs.seedAdd, async (c) => {
    try {
      const b = await readBody(c, seedAdd);
      const [name, connector, props] = validated(
        () =>
          [
            validateCatalogName(b.catalogName),
            validateConnectorName(b.connectorName),
            validateProperties(b.properties ?? {}),
          ] as const,
      );
      const r = await service().create(group(c.req.query('group')), name, connector, props, user(c));
      return c.json(r, statusOf(r, true));
    } catch (e) {
      return catalogError(c, e);
    }
  });
  app.delete('/v1/catalog/delete', docs.seedDelete, async (c) => {
    try {
      const name = validated(() => validateCatalogName(c.req.query('catalogName')));
      const r = await service().delete(group(c.req.query('group')), name, user(c));
      return c.json(r, statusOf(r, false));
    } catch (e) {
      return catalogError(c, e);
    }
  });
  return app;
}
