import { z } from 'zod';
import { oidcConfigSchema } from './oidc-config.js';

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
        /** Seconds a verified credential is cached (keyed by its decoded name and password). Default 60. */
        cacheTtlSeconds: z.number().int().min(0).max(3600).default(60),
        /**
         * Password hashes (scrypt) computed at once, for Basic and console sign-ins together; more wait,
         * familiar logins first, and beyond 256 waiting a login is answered 503 with Retry-After: 1, which
         * Trino's clients retry (no failure counted).
         * Default 2 (of libuv's 4 threads, which gzip and file I/O need too).
         */
        maxConcurrentHashes: z.number().int().min(1).max(64).default(2),
      })
      .strict()
      .default({ enabled: true, cacheTtlSeconds: 60, maxConcurrentHashes: 2 }),
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
        /** Refuse tokens without an `exp` claim (they would be valid forever). Default true. */
        requireExp: z.boolean().default(true),
        /** Longest lifetime accepted (exp − iat, or exp − now without iat), in seconds. Default: no limit. */
        maxLifetimeSeconds: z.number().int().min(1).optional(),
        /**
         * Token subjects and password (Basic) users share one name space: they run as the same Trino user
         * and see each other's queries. A token whose user claim names a password user is refused unless
         * this says they are the same people. Default false.
         */
        sharedNames: z.boolean().default(false),
        /** Clock tolerance in seconds. Default 30. */
        clockToleranceSeconds: z.number().int().min(0).max(600).default(30),
      })
      .strict()
      .refine(
        (j) => !j.enabled || !!(j.secret || j.publicKeyFile || j.jwksUrl),
        'jwt needs secret, publicKeyFile or jwksUrl',
      )
      .optional(),
    /** OpenID Connect sign-in (src/auth/oidc-config.ts). Default: none. */
    oidc: oidcConfigSchema.optional(),
    /**
     * Which clusters receive clients' Authorization headers (a backend's own forwardAuthorization wins):
     * `always`, `https` ones only, `never`, or `auto` (default): `always` in mode none (the clusters
     * authenticate the clients themselves), else `never` (the gateway authenticated them, and a cluster
     * without authentication, Trino's default, refuses any password with 401).
     */
    forwardAuthorization: z.enum(['auto', 'https', 'always', 'never']).default('auto'),
    /** Users (passwords hashed). Default none. */
    users: z.array(plaintextGuard.pipe(userSchema)).default([]),
    /**
     * Failed logins before refusing with 429, for the protocol and the console alike (one limiter): per user
     * and address 5 in 60 s, blocked 60 s; per user at unfamiliar addresses and per address for unfamiliar
     * users 4 × maxFailures unless set.
     */
    lockout: z
      .object({
        maxFailures: z.number().int().min(1).default(5),
        userMaxFailures: z.number().int().min(1).optional(),
        addressMaxFailures: z.number().int().min(1).optional(),
        windowSeconds: z.number().int().min(1).default(60),
        blockSeconds: z.number().int().min(1).default(60),
        familiarSeconds: z.number().int().min(0).default(86_400),
        /**
         * Counters kept at most (memory bound). When full, counters that block nothing are forgotten,
         * oldest first; a counter that blocks is never forgotten before its block ends. Default 100000.
         */
        maxKeys: z.number().int().min(10).default(100_000),
      })
      .strict()
      .default({
        maxFailures: 5,
        windowSeconds: 60,
        blockSeconds: 60,
        familiarSeconds: 86_400,
        maxKeys: 100_000,
      }),
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
