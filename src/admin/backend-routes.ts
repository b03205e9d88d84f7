import { Hono } from 'hono';
import { AppError } from '../app-error.js';
import type { Backend } from '../backends/backend.js';
import type { BackendRegistry } from '../backends/registry.js';
import { adminDocs as docs } from './docs/admin-docs.js';
import { readBody, type AppEnv } from './http.js';
import { backendInput, backendPatch } from './schemas.js';

/** The API's view of a backend: its record, health, load, in-flight count and whether it is drained. */
export function backendView(b: Backend) {
  return {
    name: b.name,
    url: b.url,
    externalUrl: b.externalUrl ?? null,
    group: b.group,
    active: b.active,
    weight: b.weight,
    catalogDriver: b.catalogDriver,
    processForwarded: b.processForwarded,
    forwardAuthorization: b.record().forwardAuthorization ?? null,
    advertisedUrls: b.record().advertisedUrls ?? [],
    health: b.health,
    healthDetail: b.healthDetail ?? null,
    stats: b.stats ?? null,
    inFlight: b.inFlight,
    /** Deactivated and no query of this gateway still running there: safe to stop or upgrade. */
    drained: !b.active && b.inFlight === 0,
  };
}

/**
 * Backends under /api/v1/backends (the admin role is checked in front): list, read, add, replace, patch,
 * delete (refused while queries run there, unless forced), activate and deactivate. Every change is
 * persisted before it applies, and applies without a restart; the registry's refusals are AppErrors.
 */
export function backendRoutes(registry: BackendRegistry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const backend = (name: string): Backend => {
    const b = registry.get(name);
    if (!b) throw new AppError(404, `backend "${name}" not found`);
    return b;
  };

  app.get('/api/v1/backends', docs.listBackends, (c) => {
    const group = c.req.query('group');
    if (group !== undefined && !registry.group(group))
      return c.json({ message: `group: unknown group "${group}"` }, 400);
    const list = group === undefined ? registry.all() : registry.inGroup(group);
    return c.json(list.map(backendView));
  });
  app.get('/api/v1/backends/:name', docs.getBackend, (c) => {
    return c.json(backendView(backend(c.req.param('name'))));
  });
  app.post('/api/v1/backends', docs.addBackend, async (c) => {
    const b = await readBody(c, backendInput);
    return c.json(backendView(await registry.add({ ...b, externalUrl: b.externalUrl ?? undefined })), 201);
  });
  app.put('/api/v1/backends/:name', docs.replaceBackend, async (c) => {
    const name = c.req.param('name');
    backend(name);
    const b = await readBody(c, backendInput.omit({ name: true }));
    return c.json(
      backendView(await registry.update({ ...b, name, externalUrl: b.externalUrl ?? undefined })),
    );
  });
  app.patch('/api/v1/backends/:name', docs.patchBackend, async (c) => {
    const old = backend(c.req.param('name')).record();
    const p = await readBody(c, backendPatch);
    const externalUrl = p.externalUrl === undefined ? old.externalUrl : (p.externalUrl ?? undefined);
    return c.json(backendView(await registry.update({ ...old, ...p, externalUrl })));
  });
  app.delete('/api/v1/backends/:name', docs.deleteBackend, async (c) => {
    const b = backend(c.req.param('name'));
    if (b.inFlight > 0 && c.req.query('force') !== 'true')
      throw new AppError(
        409,
        `backend "${b.name}" has ${b.inFlight} queries in flight; deactivate it and delete it once drained (or add ?force=true)`,
      );
    await registry.remove(b.name);
    return c.json({ deleted: b.name });
  });
  for (const [verb, active] of [
    ['activate', true],
    ['deactivate', false],
  ] as const)
    app.post(
      `/api/v1/backends/:name/${verb}`,
      active ? docs.activateBackend : docs.deactivateBackend,
      async (c) => {
        return c.json(backendView(await registry.setActive(backend(c.req.param('name')).name, active)));
      },
    );

  return app;
}
