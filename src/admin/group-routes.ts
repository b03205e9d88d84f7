import { Hono } from 'hono';
import { AppError } from '../app-error.js';
import type { BackendRegistry } from '../backends/registry.js';
import { adminDocs as docs } from './docs/admin-docs.js';
import { readBody, type AppEnv } from './http.js';
import { groupInput } from './schemas.js';

/**
 * Routing groups under /api/v1/groups (admin role): list, read, create or replace, delete. `groupInUse`
 * says why a group cannot go beyond the registry's own checks (the default group, catalogs in it).
 */
export function groupRoutes(
  registry: BackendRegistry,
  groupInUse: (name: string) => Promise<string | undefined> | string | undefined = () => undefined,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
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
    const name = c.req.param('name');
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(name))
      throw new AppError(400, 'name: a name of letters, digits, ".", "_" or "-"');
    const existed = !!registry.group(name);
    const g = await readBody(c, groupInput);
    await registry.upsertGroup({ name, policy: g.policy, fallback: g.fallback ?? undefined });
    return c.json(groupView(name), existed ? 200 : 201);
  });
  app.delete('/api/v1/groups/:name', docs.deleteGroup, async (c) => {
    const why = registry.group(c.req.param('name')) ? await groupInUse(c.req.param('name')) : undefined;
    if (why) throw new AppError(409, `group "${c.req.param('name')}" cannot be deleted: ${why}`);
    await registry.removeGroup(c.req.param('name'));
    return c.json({ deleted: c.req.param('name') });
  });

  return app;
}
