import type { Hono } from 'hono';
import type { AppEnv } from '../admin/http.js';
import { oidcConsole } from '../auth/oidc-console.js';
import { oidcRoutes } from '../auth/oidc-routes.js';
import { consoleCatalogs } from '../ui/console-catalogs.js';
import { consoleRoutes } from '../ui/console-routes.js';
import type { Logger } from '../observability/logger.js';
import type { SettingsStore } from '../store/ports.js';
import type { RevocationStore } from '../ui/session.js';
import { readRevoked, REVOKED_SESSIONS_KEY } from './open-resources.js';
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
      revokedSessions: sharedRevocations(
        revocations(s.store.settings, s.preload.revokedSessions, s.logger),
        s.replica,
      ),
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

/**
 * revocations keeps revoked console sessions as one JSON value of the settings table: read at start
 * (openResources), written through the port on each logout.
 */
function revocations(
  settings: SettingsStore,
  loaded: Record<string, number>,
  logger: Logger,
): RevocationStore {
  let current = loaded;
  return {
    load: () => current,
    save(revoked) {
      current = revoked;
      // Resolved once written, so a notice to the other workers (sharedRevocations) follows the write.
      return settings.set(REVOKED_SESSIONS_KEY, JSON.stringify(revoked)).catch((e: Error) =>
        // The store takes no writes (locked, away): the logout still holds in memory until a restart.
        logger.warn({ err: e.message }, 'could not keep a console logout in the store'),
      );
    },
    async refresh() {
      current = await readRevoked(settings);
    },
  };
}
