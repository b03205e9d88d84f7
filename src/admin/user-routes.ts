import { Hono } from 'hono';
import { AppError } from '../app-error.js';
import { hashPassword } from '../auth/password-hash.js';
import type { LayeredUserDirectory, UserRecord } from '../auth/user-directory.js';
import type { BackendRegistry } from '../backends/registry.js';
import { adminDocs as docs } from './docs/admin-docs.js';
import { readBody, type AppEnv } from './http.js';
import { userInput, userPatch } from './schemas.js';

const userView = (u: UserRecord & { source?: string }) => ({
  name: u.name,
  groups: u.groups,
  roles: u.roles,
  defaultGroup: u.defaultGroup ?? null,
  impersonate: u.impersonate ?? [],
  source: u.source ?? 'api',
});

/**
 * Users under /api/v1/users (admin role): list, read, add, patch, delete. Users of the config file are
 * read-only here; a user's groups must exist. Passwords are stored hashed, never shown.
 */
export function userRoutes(users: LayeredUserDirectory, registry: BackendRegistry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const checkGroups = (groups: readonly string[], field: string) => {
    for (const g of groups)
      if (g !== '*' && !registry.group(g)) throw new AppError(400, `${field}: unknown group "${g}"`);
  };

  app.get('/api/v1/users', docs.listUsers, (c) => c.json(users.list().map(userView)));
  app.get('/api/v1/users/:name', docs.getUser, (c) => {
    const name = c.req.param('name');
    const u = users.list().find((x) => x.name === name);
    return u ? c.json(userView(u)) : c.json({ message: `user "${name}" not found` }, 404);
  });
  app.post('/api/v1/users', docs.addUser, async (c) => {
    const u = await readBody(c, userInput);
    if (users.get(u.name)) throw new AppError(409, `user "${u.name}" already exists`);
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
  });
  app.patch('/api/v1/users/:name', docs.patchUser, async (c) => {
    const name = c.req.param('name');
    const old = users.get(name);
    if (!old) throw new AppError(404, `user "${name}" not found`);
    if (users.isConfigUser(name))
      throw new AppError(409, `user "${name}" is defined in the config file; change it there`);
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
  });
  app.delete('/api/v1/users/:name', docs.deleteUser, async (c) => {
    await users.remove(c.req.param('name'));
    return c.json({ deleted: c.req.param('name') });
  });
  return app;
}
