/** The authenticated caller. The principal, never a client header, decides the user Trino sees. */
export interface Principal {
  /** User name sent to Trino as X-Trino-User. */
  name: string;
  /** Roles: 'admin' may use the admin API and console; 'user' may run queries. */
  roles: readonly string[];
  /** Routing groups this principal may use. An empty list means none. */
  groups: readonly string[];
  /** Preferred routing group, when configured. */
  defaultGroup?: string;
  /** Regular expressions of user names this principal may impersonate (X-Trino-User different from name). */
  impersonate?: readonly RegExp[];
  /** How the principal was established, for logs and history. */
  method: 'basic' | 'jwt' | 'oidc' | 'header' | 'session';
}

export const isAdmin = (p: Principal | undefined): boolean => !!p && p.roles.includes('admin');
