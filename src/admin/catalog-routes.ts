import { Hono, type Context } from 'hono';
import { NATIVE_FIELDS, type CatalogService, type ChangeResult } from '../catalogs/catalog-service.js';
export { catalogInput, catalogReplace } from './catalog-schemas.js';
import { catalogInput, catalogReplace, seedAdd } from './catalog-schemas.js';
import { catalogDocs as docs } from './docs/catalog-docs.js';
import { readBody, type AppEnv } from './http.js';

/**
 * HTTP status of a change: every backend of the group reached the desired state → 201 (create) or 200;
 * some did → 207; none did (stored; backends pending or failed, reconciled later) → 202.
 */
function statusOf(r: ChangeResult, created: boolean): 200 | 201 | 202 | 207 {
  if (r.applied === 'all') return created ? 201 : 200;
  return r.applied === 'partial' ? 207 : 202;
}

/**
 * Catalog broadcast API (admin role, checked in front): /api/v1/catalogs and the seed-compatible
 * POST /v1/catalog/add and DELETE /v1/catalog/delete. The service validates every input before anything
 * is stored or sent; its refusals reach the app's onError.
 */
export function catalogRoutes(service: CatalogService, defaultGroup: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const user = (c: Context<AppEnv>) => c.get('principal').name;
  const group = (g: string | undefined) => (g === undefined || g === '' ? defaultGroup : g);

  app.get('/api/v1/catalogs', docs.list, async (c) =>
    c.json(await service.list(c.req.query('group') || undefined)),
  );
  app.get('/api/v1/catalogs/:group/:name', docs.get, async (c) =>
    c.json(await service.get(c.req.param('group'), c.req.param('name').toLowerCase())),
  );
  app.post('/api/v1/catalogs', docs.create, async (c) => {
    const b = await readBody(c, catalogInput);
    const req = { name: b.name, connector: b.connector, properties: b.properties ?? {} };
    const r = await service.create(group(b.group), req, user(c), NATIVE_FIELDS);
    return c.json(r, statusOf(r, true));
  });
  app.put('/api/v1/catalogs/:group/:name', docs.replace, async (c) => {
    const b = await readBody(c, catalogReplace);
    const req = { name: c.req.param('name'), connector: b.connector, properties: b.properties };
    const r = await service.replace(c.req.param('group'), req, user(c), NATIVE_FIELDS);
    return c.json(r, statusOf(r, false));
  });
  app.delete('/api/v1/catalogs/:group/:name', docs.delete, async (c) => {
    const r = await service.delete(c.req.param('group'), c.req.param('name'), user(c), NATIVE_FIELDS);
    return c.json(r, statusOf(r, false));
  });
  app.post('/api/v1/catalogs/reconcile', docs.reconcile, async (c) => {
    await service.reconcileAll();
    return c.json(await service.list());
  });

  app.post('/v1/catalog/add', docs.seedAdd, async (c) => {
    const b = await readBody(c, seedAdd);
    const req = { name: b.catalogName, connector: b.connectorName, properties: b.properties ?? {} };
    const r = await service.create(group(c.req.query('group')), req, user(c));
    return c.json(r, statusOf(r, true));
  });
  app.delete('/v1/catalog/delete', docs.seedDelete, async (c) => {
    const r = await service.delete(group(c.req.query('group')), c.req.query('catalogName'), user(c));
    return c.json(r, statusOf(r, false));
  });
  return app;
}
