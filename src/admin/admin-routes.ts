import { Hono, type Context } from 'hono';
import { hashPassword } from '../auth/password-hash.js';
import { UserChangeError, type LayeredUserDirectory, type UserRecord } from '../auth/user-directory.js';
import type { Backend } from '../backends/backend.js';
import { RegistryError, type BackendRegistry } from '../backends/registry.js';
import { BadRequest, readBody, type AppEnv } from './http.js';
import { backendInput, backendPatch, groupInput, userInput, userPatch } from './schemas.js';
import { adminDocs as docs } from './docs/admin-docs.js';

export interface AdminDeps {
  registry: BackendRegistry;
  users: LayeredUserDirectory;
  /** Why a routing group cannot be deleted (beyond the registry's own checks), or undefined. */
  groupInUse?: (name: string) => string | undefined;
}

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

const userView = (u: UserRecord & { source?: string }) => ({
  name: u.name,
  groups: u.groups,
  roles: u.roles,
  defaultGroup: u.defaultGroup ?? null,
  impersonate: u.impersonate ?? [],
  source: u.source ?? 'api',
});

/** apiError turns the refusals of the registry, the user directory and body parsing into JSON 4xx answers. */
export function apiError(c: Context, err: unknown): Response {
  if (err instanceof BadRequest || err instanceof RegistryError || err instanceof UserChangeError)
    return c.json({ message: err.message }, err.status);
  throw err;
}

/**
 * Admin REST under /api/v1 (the admin role is checked in front of it): backends, routing groups and
 * users. Every change is persisted in SQLite before it applies, and applies without a restart.
 */
export function adminRoutes(d: AdminDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { registry, users } = d;
  const backend = (name: string): Backend => {
    const b = registry.get(name);
    if (!b) throw new BadRequest(`backend "${name}" not found`, 404);
    return b;
  };
  const checkGroups = (groups: readonly string[], field: string) => {
    for (const g of groups)
      if (g !== '*' && !registry.group(g)) throw new BadRequest(`${field}: unknown group "${g}"`);
  };

  app.get('/api/v1/backends', docs.listBackends, (c) => {
    const group = c.req.query('group');
    if (group !== undefined && !registry.group(group))
      return c.json({ message: `group: unknown group "${group}"` }, 400);
    const list = group === undefined ? registry.all() : registry.inGroup(group);
    return c.json(list.map(backendView));
  });
  app.get('/api/v1/backends/:name', docs.getBackend, (c) => {
    try {
      return c.json(backendView(backend(c.req.param('name'))));
    } catch (e) {
      return apiError(c, e);
    }
  });
  app.post('/api/v1/backends', docs.addBackend, async (c) => {
    try {
      const b = await readBody(c, backendInput);
      return c.json(backendView(registry.add({ ...b, externalUrl: b.externalUrl ?? undefined })), 201);
    } catch (e) {
      return apiError(c, e);
    }
  });
  app.put('/api/v1/backends/:name', docs.replaceBackend, async (c) => {
    try {
      const name = c.req.param('name');
      backend(name);
      const b = await readBody(c, backendInput.omit({ name: true }));
      return c.json(backendView(registry.update({ ...b, name, externalUrl: b.externalUrl ?? undefined })));
    } catch (e) {
      return apiError(c, e);
    }
  });
  app.patch('/api/v1/backends/:name', docs.patchBackend, async (c) => {
    try {
      const old = backend(c.req.param('name')).record();
      const p = await readBody(c, backendPatch);
      const externalUrl = p.externalUrl === undefined ? old.externalUrl : (p.externalUrl ?? undefined);
      return c.json(backendView(registry.update({ ...old, ...p, externalUrl })));
    } catch (e) {
      return apiError(c, e);
    }
  });
  app.delete('/api/v1/backends/:name', docs.deleteBackend, (c) => {
    try {
      const b = backend(c.req.param('name'));
      if (b.inFlight > 0 && c.req.query('force') !== 'true')
        throw new BadRequest(
          `backend "${b.name}" has ${b.inFlight} queries in flight; deactivate it and delete it once drained (or add ?force=true)`,
          409,
        );
      registry.remove(b.name);
      return c.json({ deleted: b.name });
    } catch (e) {
      return apiError(c, e);
    }
  });
  for (const [verb, active] of [
    ['activate', true],
    ['deactivate', false],
  ] as const)
    app.post(
      `/api/v1/backends/:name/${verb}`,
      active ? docs.activateBackend : docs.deactivateBackend,
      (c) => {
        try {
          return c.json(backendView(registry.setActive(backend(c.req.param('name')).name, active)));
        } catch (e) {
          return apiError(c, e);
        }
      },
    );

  const groupView = (name: string) => {
    const g = registry.group(name)!;
    return {
      name: g.name,
      policy: g.policy,
      fallback: g.fallback ?? null,
      backends: registry.inGroup(name).map((b) => b.name),
    };
  };
  app.get('/api/v1/groups', docs.listGroups, (c) => c.json(registry.groups().map((g) => groupView(g.name))));
  app.get('/api/v1/groups/:name', docs.getGroup, (c) => {
    const name = c.req.param('name');
    if (!registry.group(name)) return c.json({ message: `group "${name}" not found` }, 404);
    return c.json(groupView(name));
  });
  app.put('/api/v1/groups/:name', docs.putGroup, async (c) => {
    try {
      const name = c.req.param('name');
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(name))
        throw new BadRequest('name: a name of letters, digits, ".", "_" or "-"');
      const existed = !!registry.group(name);
      const g = await readBody(c, groupInput);
      registry.upsertGroup({ name, policy: g.policy, fallback: g.fallback ?? undefined });
      return c.json(groupView(name), existed ? 200 : 201);
    } catch (e) {
      return apiError(c, e);
    }
  });
  app.delete('/api/v1/groups/:name', docs.deleteGroup, (c) => {
    try {
      const why = registry.group(c.req.param('name')) ? d.groupInUse?.(c.req.param('name')) : undefined;
      if (why) throw new BadRequest(`group "${c.req.param('name')}" cannot be deleted: ${why}`, 409);
      registry.removeGroup(c.req.param('name'));
      return c.json({ deleted: c.req.param('name') });
    } catch (e) {
      return apiError(c, e);
    }
  });

  app.get('/api/v1/users', docs.listUsers, (c) => c.json(users.list().map(userView)));
  app.get('/api/v1/users/:name', docs.getUser, (c) => {
    const name = c.req.param('name');
    const u = users.list().find((x) => x.name === name);
    return u ? c.json(userView(u)) : c.json({ message: `user "${name}" not found` }, 404);
  });
  app.post('/api/v1/users', docs.addUser, async (c) => {
    try {
      const u = await readBody(c, userInput);
      if (users.get(u.name)) throw new BadRequest(`user "${u.name}" already exists`, 409);
      checkGroups([...u.groups, ...(u.defaultGroup ? [u.defaultGroup] : [])], 'groups');
      const rec: UserRecord = {
        name: u.name,
        passwordHash: await hashPassword(u.password),
        groups: u.groups,
        roles: u.roles,
        defaultGroup: u.defaultGroup ?? undefined,
        impersonate: u.impersonate,
      };
      await users.put(rec);
      return c.json(userView(rec), 201);
    } catch (e) {
      return apiError(c, e);
    }
  });
  app.patch('/api/v1/users/:name', docs.patchUser, async (c) => {
    try {
      const name = c.req.param('name');
      const old = users.get(name);
      if (!old) throw new BadRequest(`user "${name}" not found`, 404);
      if (users.isConfigUser(name))
        throw new BadRequest(`user "${name}" is defined in the config file; change it there`, 409);
      const p = await readBody(c, userPatch);
      const rec: UserRecord = {
        name,
        passwordHash: p.password ? await hashPassword(p.password) : old.passwordHash,
        groups: p.groups ?? old.groups,
        roles: p.roles ?? old.roles,
        defaultGroup: p.defaultGroup === undefined ? old.defaultGroup : (p.defaultGroup ?? undefined),
        impersonate: p.impersonate ?? old.impersonate,
      };
      checkGroups([...rec.groups, ...(rec.defaultGroup ? [rec.defaultGroup] : [])], 'groups');
      await users.put(rec);
      return c.json(userView(rec));
    } catch (e) {
      return apiError(c, e);
    }
  });
  app.delete('/api/v1/users/:name', docs.deleteUser, async (c) => {
    try {
      await users.remove(c.req.param('name'));
      return c.json({ deleted: c.req.param('name') });
    } catch (e) {
      return apiError(c, e);
    }
  });
  return app;
}
