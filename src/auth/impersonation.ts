import type { Principal } from './principal.js';

/**
 * resolveTrinoUser decides the user Trino sees: the principal, or a user the principal may impersonate
 * (an anchored pattern match, like Trino's impersonation rules). Anything else is a 403.
 */
export function resolveTrinoUser(
  principal: Principal,
  requested: string | undefined,
): { ok: true; user: string } | { ok: false; status: 403; message: string } {
  if (!requested || requested === principal.name) return { ok: true, user: principal.name };
  if (principal.impersonate?.some((re) => re.test(requested))) return { ok: true, user: requested };
  return {
    ok: false,
    status: 403,
    message: `User ${principal.name} may not impersonate ${requested.slice(0, 128)}`,
  };
}

/** compilePatterns anchors configured impersonation patterns. */
export const compilePatterns = (patterns: readonly string[] | undefined): RegExp[] =>
  (patterns ?? []).map((p) => new RegExp(`^(?:${p})$`));
