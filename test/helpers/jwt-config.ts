import type { AuthConfig } from '../../src/auth/auth-config.js';

type JwtConfig = NonNullable<AuthConfig['jwt']>;

/** jwtConfig is an enabled auth.jwt section with the loader's defaults (no clock tolerance) and the given fields. */
export const jwtConfig = (o: Partial<JwtConfig> & Pick<JwtConfig, 'algorithms'>): JwtConfig => ({
  enabled: true,
  userClaim: 'sub',
  groupsClaim: 'groups',
  rolesClaim: 'roles',
  clockToleranceSeconds: 0,
  groupMap: {},
  impersonation: [],
  requireExp: true,
  sharedNames: false,
  ...o,
});
