import { Hono } from 'hono';
import { FailureLimiter } from '../../src/auth/failure-limiter.js';
import { HashGate } from '../../src/auth/hash-gate.js';
import { hashPassword } from '../../src/auth/password-hash.js';
import { PasswordLogin } from '../../src/auth/password-login.js';
import type { UserRecord } from '../../src/auth/user-directory.js';
import { BackendPicker } from '../../src/backends/picker.js';
import { BackendRepo } from '../../src/backends/backend-repo.js';
import { openDatabase } from '../../src/db/open.js';
import { HistoryRepo } from '../../src/history/history-repo.js';
import { HistoryStatsRepo } from '../../src/history/history-stats-repo.js';
import { consoleRoutes } from '../../src/ui/console-routes.js';
import type { ConsoleDeps, ConsoleUser } from '../../src/ui/console-deps.js';
import { historyPort, historyStatsPort } from '../../src/store/sqlite/sqlite-store.js';
import { sqliteRegistry } from './sqlite-registry.js';

export const SECRET = 'test-session-secret-0123456789';

/** Test users: root (admin) with password s3cret, bob (no admin) with hunter2. */
export const USERS: Record<string, ConsoleUser> = {
  root: { name: 'root', passwordHash: await hashPassword('s3cret'), roles: ['admin', 'user'], groups: ['*'] },
  bob: { name: 'bob', passwordHash: await hashPassword('hunter2'), roles: ['user'], groups: ['adhoc'] },
};

/**
 * fixturePasswords is the gateway's password login over these users (real hashes, a real hash gate) and
 * a failed-login limiter: auth.lockout's defaults unless one is given.
 */
export function fixturePasswords(
  users: { get(name: string): ConsoleUser | undefined },
  limiter = new FailureLimiter({
    maxFailures: 5,
    windowSeconds: 60,
    blockSeconds: 60,
    familiarSeconds: 86_400,
  }),
): PasswordLogin {
  return new PasswordLogin({ get: (n) => users.get(n) as UserRecord | undefined }, limiter, new HashGate());
}

/** consoleFixture: a console over an in-memory database with two groups, three backends and some history. */
export function consoleFixture(extra: Partial<ConsoleDeps> = {}) {
  const db = openDatabase(':memory:').db;
  const repo = new BackendRepo(db);
  repo.seedGroup({ name: 'adhoc', policy: 'least-loaded' });
  repo.seedGroup({ name: 'etl', policy: 'least-loaded' });
  repo.seedBackend({
    name: 'trino-1',
    url: 'http://127.0.0.1:1',
    group: 'adhoc',
    active: true,
    weight: 1,
    catalogDriver: 'sql',
    externalUrl: 'https://trino-1.example.com',
  });
  repo.seedBackend({
    name: 'trino-2',
    url: 'http://127.0.0.1:2',
    group: 'adhoc',
    active: true,
    weight: 1,
    catalogDriver: 'sql',
  });
  repo.seedBackend({
    name: 'trino-3',
    url: 'http://127.0.0.1:3',
    group: 'etl',
    active: true,
    weight: 1,
    catalogDriver: 'sql',
  });
  const registry = sqliteRegistry(repo, 4);
  for (const b of registry.all()) b.health = 'HEALTHY';
  const history = new HistoryRepo(db);
  const users = new Map(Object.entries(USERS));
  const deps: ConsoleDeps = {
    registry,
    picker: new BackendPicker(registry),
    history: historyPort(history),
    historyStats: historyStatsPort(new HistoryStatsRepo(db)),
    users: { get: (n) => users.get(n) },
    passwords: fixturePasswords({ get: (n) => users.get(n) }),
    sessionSecret: SECRET,
    redactSql: (s) => s.replace(/'hunter2'/g, "'***'"),
    defaultGroup: 'adhoc',
    ...extra,
  };
  const app = new Hono();
  app.route('/', consoleRoutes(deps));
  return { app, deps, registry, history, users };
}

/** A browser-like client over app.request(): keeps cookies, follows nothing. */
export class Client {
  readonly cookies = new Map<string, string>();
  constructor(private readonly app: Hono) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.send(path, { headers });
  }

  async post(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.send(path, {
      method: 'POST',
      body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  /** login signs in through the form, as a browser would; returns the POST's response. */
  async login(user: string, password: string, next?: string): Promise<Response> {
    const page = await (await this.get('/console/login')).text();
    return this.post('/console/login', { _csrf: token(page), user, password, ...(next ? { next } : {}) });
  }

  /** csrf reads the form token from a signed-in page. */
  async csrf(path = '/console'): Promise<string> {
    return token(await (await this.get(path)).text());
  }

  private async send(
    path: string,
    init: RequestInit & { headers: Record<string, string> },
  ): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.app.request(path, {
      ...init,
      headers: { ...(cookie ? { cookie } : {}), ...init.headers },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const [name, ...value] = pair.split('=');
      const gone = attrs.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a));
      if (gone) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.join('='));
    }
    return res;
  }
}

export function token(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no _csrf field in page:\n${html.slice(0, 500)}`);
  return m[1];
}

/** signedIn is a console fixture with root signed in, and its pages as HTML. */
export async function signedIn(extra: Parameters<typeof consoleFixture>[0] = {}) {
  const fx = consoleFixture(extra);
  const client = new Client(fx.app);
  await client.login('root', 's3cret');
  return { ...fx, client, html: async (path: string) => (await client.get(path)).text() };
}

/** seedHistory writes seven finished queries (one failed, one with markup and a secret in its SQL) over the last minutes. */
export function seedHistory(history: ReturnType<typeof consoleFixture>['history'], now = Date.now()) {
  history.writeBatch(
    Array.from({ length: 7 }, (_, i) => ({
      queryId: `20250101_000000_0000${i}_abcde`,
      user: i % 2 ? 'alice' : 'bob',
      routingGroup: i < 4 ? 'adhoc' : 'etl',
      backend: i < 4 ? 'trino-1' : 'trino-3',
      sql: i === 6 ? "SELECT '<script>alert(1)</script>' WHERE pw = 'hunter2'" : `SELECT ${i}`,
      submittedAt: now - (7 - i) * 60_000,
      state: i === 3 ? 'FAILED' : 'FINISHED',
      elapsedMs: (i + 1) * 100,
    })),
    [],
  );
}
