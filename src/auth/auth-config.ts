import { z } from 'zod';

/** An anchored regular expression (as Trino's impersonation rules), checked to compile at load. */
export const pattern = z
  .string()
  .min(1)
  .max(256)
  .refine((p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  }, 'a valid regular expression');

const userSchema = z
  .object({
    name: z.string().min(1).max(256),
    /** scrypt hash from `npm run --silent hash-password`. */
    passwordHash: z.string().regex(/^scrypt\$/, 'a hash made by `npm run --silent hash-password`'),
    /** Routing groups the user may use ('*' for all). Default none. */
    groups: z.array(z.string().min(1)).default([]),
    /** Roles: 'user' runs queries, 'admin' also uses the admin API and console. Default [user]. */
    roles: z.array(z.enum(['user', 'admin'])).default(['user']),
    /** Preferred routing group. Default: none. */
    defaultGroup: z.string().min(1).optional(),
    /** Anchored regular expressions of users this one may impersonate. Default none. */
    impersonate: z.array(pattern).default([]),
  })
  .strict();

const plaintextGuard = z.unknown().superRefine((u, ctx) => {
  if (u && typeof u === 'object' && 'password' in u)
    ctx.addIssue({
      code: 'custom',
      message:
        'plaintext passwords are not accepted; store passwordHash from `npm run --silent hash-password`',
    });
});

export const authConfigSchema = z
  .object({
    /** 'password' (Basic and/or JWT) or 'none' (trust X-Trino-User, like a Trino cluster without auth). Default password. */
    mode: z.enum(['password', 'none']).default('password'),
    basic: z
      .object({
        /** Accept HTTP Basic. Default true. */
        enabled: z.boolean().default(true),
        /** Seconds a verified credential is cached (keyed by its SHA-256). Default 60. */
        cacheTtlSeconds: z.number().int().min(0).max(3600).default(60),
      })
      .strict()
      .default({ enabled: true, cacheTtlSeconds: 60 }),
    jwt: z
      .object({
        /** Accept Bearer JWTs. Default false. */
        enabled: z.boolean().default(false),
        /** Shared secret for HS*. */
        secret: z.string().min(16).optional(),
        /** PEM (SPKI) public key file for RS*, ES*, EdDSA. */
        publicKeyFile: z.string().optional(),
        /** JWKS URL, cached and refreshed on an unknown kid. */
        jwksUrl: z.string().url().optional(),
        /** Algorithm allow-list (required; 'none' is never accepted). */
        algorithms: z
          .array(z.string().regex(/^(HS|RS|PS|ES)(256|384|512)$|^EdDSA$/, 'a JWS algorithm other than none'))
          .min(1),
        /** Expected issuer. Default: not checked. */
        issuer: z.string().optional(),
        /** Expected audience. Default: not checked. */
        audience: z.string().optional(),
        /** Claim holding the user name. Default sub. */
        userClaim: z.string().default('sub'),
        /** Claim holding routing groups. Default groups. */
        groupsClaim: z.string().default('groups'),
        /** Claim holding roles. Default roles. */
        rolesClaim: z.string().default('roles'),
        /** IdP group → routing groups it grants; a claim value not listed stays a group name. Default none. */
        groupMap: z.record(z.string(), z.array(z.string().min(1))).default({}),
        /** Claim holding the preferred routing group. Default: none (routing.defaultGroup). */
        defaultGroupClaim: z.string().min(1).optional(),
        /**
         * Impersonation for token users, as Trino's rules: a user matching originalUser may run queries as
         * users matching newUser (both anchored). Default none.
         */
        impersonation: z.array(z.object({ originalUser: pattern, newUser: pattern }).strict()).default([]),
        /** Clock tolerance in seconds. Default 30. */
        clockToleranceSeconds: z.number().int().min(0).max(600).default(30),
      })
      .strict()
      .refine(
        (j) => !j.enabled || !!(j.secret || j.publicKeyFile || j.jwksUrl),
        'jwt needs secret, publicKeyFile or jwksUrl',
      )
      .optional(),
    /**
     * Which clusters receive clients' Authorization headers (a backend's own forwardAuthorization wins):
     * `always`, `https` ones only, `never`, or `auto` (default): `always` in mode none (the clusters
     * authenticate the clients themselves), else `never` (the gateway authenticated them, and a cluster
     * without authentication, Trino's default, refuses any password with 401).
     */
    forwardAuthorization: z.enum(['auto', 'https', 'always', 'never']).default('auto'),
    /** Users (passwords hashed). Default none. */
    users: z.array(plaintextGuard.pipe(userSchema)).default([]),
    /** Failed logins per address or per user before refusing with 429. Default 5 in 60 s, blocked 60 s. */
    lockout: z
      .object({
        maxFailures: z.number().int().min(1).default(5),
        userMaxFailures: z.number().int().min(1).optional(),
        addressMaxFailures: z.number().int().min(1).optional(),
        windowSeconds: z.number().int().min(1).default(60),
        blockSeconds: z.number().int().min(1).default(60),
        familiarSeconds: z.number().int().min(0).default(86_400),
      })
      .strict()
      .default({ maxFailures: 5, windowSeconds: 60, blockSeconds: 60, familiarSeconds: 86_400 }),
    /** For mode none: what a header-named user may do. Default all groups, role user. */
    headerUsers: z
      .object({
        groups: z.array(z.string()).default(['*']),
        roles: z.array(z.enum(['user', 'admin'])).default(['user']),
      })
      .strict()
      .default({ groups: ['*'], roles: ['user'] }),
  })
  .strict();

export type AuthConfig = z.infer<typeof authConfigSchema>;
