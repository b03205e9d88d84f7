import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { SESSION_COOKIE, cookieOptions, safeNext } from '../ui/console-app.js';
import type { ConsoleDeps, ConsoleUser } from '../ui/console-deps.js';
import { SessionCodec } from '../ui/session.js';
import type { OidcConfig } from './oidc-config.js';
import type { ConsoleSignIn } from './oidc-routes.js';

/** The console's default session lifetime (src/ui/console-routes.tsx). */
const EIGHT_HOURS = 8 * 3_600_000;

/**
 * oidcConsole lets the console accept OIDC sign-ins next to passwords, with the console's own sessions and
 * CSRF tokens. The console admits admins only, so a session is issued only to an OIDC user whose roles claim
 * holds admin, and it is bound to a marker in place of a password hash (naming the issuer and client): the
 * console's session check recognises such a session as an OIDC admin's, and a password sign-in can never
 * produce one (the marker is no password hash). A name that is also a password user is refused, so the two
 * kinds of sign-in never stand for each other. Roles are read at sign-in: a role taken away at the IdP
 * takes effect when the session ends (8 hours), as with Trino's UI tokens.
 */
export function oidcConsole(
  cfg: OidcConfig,
  d: {
    sessionSecret: string;
    sessionTtlMs?: number;
    isPasswordUser: (name: string) => boolean;
    /** Mark the session cookie Secure. Default: when the callback came over https. */
    secureCookies?: boolean;
  },
): { signIn: ConsoleSignIn; user: (name: string) => ConsoleUser | undefined; loginUrl: string } {
  const marker = `oidc$${cfg.issuer}$${cfg.clientId}`;
  const sessions = new SessionCodec(d.sessionSecret, d.sessionTtlMs ?? EIGHT_HOURS);
  return {
    loginUrl: '/oidc/console/login',
    user: (name) =>
      d.isPasswordUser(name) ? undefined : { name, passwordHash: marker, roles: ['admin'], groups: [] },
    signIn: {
      safeNext,
      signIn(c: Context, p) {
        if (!p.roles.includes('admin'))
          return `${p.name} signed in correctly but does not have the admin role. The console is for administrators; ask one to grant you the role at the identity provider.`;
        if (d.isPasswordUser(p.name))
          return `${p.name} is also the name of a password user of this gateway; sign in to the console with that user's password instead.`;
        const { value } = sessions.issue(p.name, marker);
        setCookie(
          c,
          SESSION_COOKIE,
          value,
          cookieOptions(
            c,
            { secureCookies: d.secureCookies } as ConsoleDeps,
            Math.floor(sessions.ttlMs / 1000),
          ),
        );
        return undefined;
      },
    },
  };
}
