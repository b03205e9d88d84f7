import type { Hono } from 'hono';
import type { AppEnv } from '../admin/http.js';
import { oidcConsole } from '../auth/oidc-console.js';
import { oidcRoutes } from '../auth/oidc-routes.js';
import type { SettingsRepo } from '../db/settings-repo.js';
import { consoleCatalogs } from '../ui/console-catalogs.js';
import { consoleRoutes } from '../ui/console-routes.js';
import type { RevocationStore } from '../ui/session.js';
import type { Services } from './services.js';
import { sharedRevocations } from '../cluster/shared-revocations.js';

/** mountConsole adds the web console (its own sessions) and, with auth.oidc, the OIDC sign-in routes. */
export function mountConsole(app: Hono<AppEnv>, s: Services, openApi: () => Promise<object>): void {
  const sessionSecret = s.secrets.consoleSession;
  // A public URL on https: the console is reached over TLS (perhaps terminated in front), so Secure.
  const secureCookies = s.config.server.publicUrl.startsWith('https:') ? true : undefined;
  const sso =
    s.oidc &&
    oidcConsole(s.oidc.cfg, {
      sessionSecret,
      isPasswordUser: (name) => s.users.get(name) !== undefined,
      // Behind TLS terminated in front, the callback arrives over http, but the browser speaks https.
      secureCookies,
    });
  if (s.oidc) app.route('/', oidcRoutes(s.oidc, s.logger, sso?.signIn));
  app.route(
    '/',
    consoleRoutes({
      registry: s.registry,
      picker: s.picker,
      history: s.history,
      historyStats: s.historyStats,
      loadSamples: s.loadSamples,
      users: s.users,
      passwords: s.passwords,
      secureCookies,
      revokedSessions: sharedRevocations(jsonSetting(s.settings, 'console-revoked-sessions'), s.replica),
      sessionSecret,
      // Rows are redacted when written (older rows by the start-up pass), never again per view.
      redactSql: (sql) => sql,
      catalogs: consoleCatalogs(s.catalogs),
      defaultGroup: s.config.routing.defaultGroup,
      rules: () => s.rules,
      databaseRules: s.databaseRules,
      openApi,
      queue: s.queue?.consoleView(),
      logger: s.logger,
      ...(sso ? { oidc: { loginUrl: sso.loginUrl, user: sso.user } } : {}),
    }),
  );
}

/** jsonSetting keeps revoked console sessions as one JSON value of the settings table. */
function jsonSetting(settings: SettingsRepo, key: string): RevocationStore {
  return {
    load() {
      try {
        const v = JSON.parse(settings.get(key) ?? '{}') as unknown;
        return v && typeof v === 'object' ? (v as Record<string, number>) : {};
      } catch {
        return {};
      }
    },
    save(revoked) {
      try {
        settings.set(key, JSON.stringify(revoked));
      } catch {
        // The database takes no writes (locked, full): the logout still holds in memory until a restart.
      }
    },
  };
}
