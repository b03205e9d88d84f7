import { Hono, type Context } from 'hono';
import type { Backend } from '../backends/backend.js';
import type { BackendRegistry } from '../backends/registry.js';
import { AppError } from '../app-error.js';
import { compatDocs as docs } from './docs/compat-docs.js';
import { readBody, type AppEnv } from './http.js';
import { compatBackend } from './schemas.js';

/**
 * trino-gateway's backend API, so scripts written for it keep working: the same paths and answer shapes
 * (ProxyBackendConfiguration: name, proxyTo, active, routingGroup, externalUrl), but behind Switchyard's
 * authentication and the admin role. Differences: unknown names and bad bodies are 4xx with a message
 * (trino-gateway answers some with 500); a routing group named in an add/update that does not exist yet
 * is created with the default policy, because trino-gateway's groups are free-form strings.
 */
export function compatRoutes(registry: BackendRegistry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const view = (b: Backend) => gatewayBackendView(b, true);
  const notFound = (c: Context, message: string) => c.text(message, 404);

  app.get('/gateway', docs.ping, (c) => c.text('ok'));
  app.get('/gateway/backend/all', docs.all, (c) => c.json(registry.all().map(view)));
  app.get('/gateway/backend/active', docs.active, (c) =>
    c.json(
      registry
        .all()
        .filter((b) => b.active)
        .map(view),
    ),
  );
  for (const [verb, active] of [
    ['activate', true],
    ['deactivate', false],
  ] as const)
    app.post(`/gateway/backend/${verb}/:name`, active ? docs.activate : docs.deactivate, async (c) => {
      const name = c.req.param('name');
      if (!registry.get(name)) return notFound(c, `backend "${name}" not found`);
      await registry.setActive(name, active);
      return c.body(null, 200);
    });

  const upsert = async (c: Context, mode: 'add' | 'update' | 'upsert'): Promise<Response> => {
    const data = await readBody(
      c,
      compatBackend,
      'body: expected a JSON backend (name, proxyTo, active, routingGroup, externalUrl)',
    );
    const old = registry.get(data.name);
    if (mode === 'add' && old) throw new AppError(409, `backend "${data.name}" already exists`);
    if (!registry.group(data.routingGroup))
      await registry.upsertGroup({ name: data.routingGroup, policy: 'least-loaded' });
    const rec = {
      name: data.name,
      url: data.proxyTo,
      group: data.routingGroup,
      active: data.active,
      externalUrl: data.externalUrl ?? undefined,
      weight: old?.weight ?? 1,
      catalogDriver: old?.catalogDriver ?? ('sql' as const),
      processForwarded: old?.processForwarded,
      forwardAuthorization: old?.record().forwardAuthorization,
      advertisedUrls: old?.record().advertisedUrls,
    };
    const b = old ? await registry.update(rec) : await registry.add(rec);
    return mode === 'upsert' ? c.body(null, 200) : c.json(view(b));
  };
  app.post('/gateway/backend/modify/add', docs.add, (c) => upsert(c, 'add'));
  app.post('/gateway/backend/modify/update', docs.update, (c) => upsert(c, 'update'));
  app.post('/gateway/backend/modify/delete', docs.delete, async (c) => {
    const name = (await c.req.text()).trim().slice(0, 256);
    if (!name) return c.json({ message: 'body: expected the backend name as plain text' }, 400);
    const b = registry.get(name);
    if (!b) return notFound(c, `backend "${name}" not found`);
    if (b.inFlight > 0)
      return c.json(
        {
          message: `backend "${name}" has ${b.inFlight} queries in flight; deactivate it and delete it once drained`,
        },
        409,
      );
    await registry.remove(name);
    return c.body(null, 200);
  });

  app.get('/entity', docs.entities, (c) => c.json(['GATEWAY_BACKEND']));
  app.get('/entity/:type', docs.entityList, (c) => {
    const type = c.req.param('type');
    if (type !== 'GATEWAY_BACKEND')
      return c.json(
        { message: `entity type "${type.slice(0, 64)}" is not supported (only GATEWAY_BACKEND)` },
        400,
      );
    return c.json(registry.all().map(view));
  });
  app.post('/entity', docs.entityUpsert, async (c): Promise<Response> => {
    const type = c.req.query('entityType');
    if (type !== 'GATEWAY_BACKEND')
      return c.json({ message: 'entityType: only GATEWAY_BACKEND is supported' }, 400);
    return upsert(c, 'upsert');
  });
  return app;
}

/** trino-gateway's ProxyBackendConfiguration; without URLs when `withUrls` is false. */
function gatewayBackendView(b: Backend, withUrls: boolean) {
  return withUrls
    ? {
        name: b.name,
        proxyTo: b.url,
        active: b.active,
        routingGroup: b.group,
        externalUrl: b.externalUrl ?? b.url,
      }
    : { name: b.name, active: b.active, routingGroup: b.group };
}

/**
 * trino-gateway's /api/public/backends. Anonymous callers get names, groups and the active flag only;
 * internal URLs are shown to authenticated callers.
 */
export function publicBackendRoutes(
  registry: BackendRegistry,
  authenticated: (c: Context) => Promise<boolean>,
): Hono {
  const app = new Hono();
  const view = gatewayBackendView;
  app.get('/api/public/backends', docs.publicList, async (c) => {
    const full = await authenticated(c);
    return c.json(registry.all().map((b) => view(b, full)));
  });
  app.get('/api/public/backends/:name', docs.publicOne, async (c) => {
    const b = registry.get(c.req.param('name'));
    return b ? c.json(view(b, await authenticated(c))) : c.json({ message: 'backend not found' }, 404);
  });
  app.get('/api/public/backends/:name/state', docs.publicState, (c) => {
    const b = registry.get(c.req.param('name'));
    if (!b) return c.json({ message: 'backend not found' }, 404);
    return c.json({
      QUEUED: b.stats?.queuedQueries ?? 0,
      RUNNING: (b.stats?.runningQueries ?? 0) || b.inFlight,
    });
  });
  return app;
}
