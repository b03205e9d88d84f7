import type { Gateway } from '../../src/gateway.js';
import { consoleRoutes } from '../../src/ui/console-routes.js';
import { USERS } from './console-fixture.js';

/**
 * mountConsole serves the console from a started gateway's app, unless the gateway already does (once
 * src/gateway.ts wires it, this does nothing). Must run before the app's first request: Hono builds its
 * router then.
 */
export function mountConsole(gateway: Gateway): void {
  if (gateway.app.routes.some((r) => r.path.startsWith('/console'))) return;
  gateway.app.route(
    '/',
    consoleRoutes({
      registry: gateway.registry,
      picker: gateway.picker,
      history: gateway.history,
      users: { get: (n) => USERS[n] },
      verifyPassword: async (pw, hash) => hash === `plain:${pw}`,
      sessionSecret: 'browser-test-session-secret',
      redactSql: (s) => s,
      defaultGroup: gateway.config.routing.defaultGroup,
      rules: () => gateway.rules,
    }),
  );
}
