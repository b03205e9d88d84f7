import { z } from 'zod';

/** Hosts an `http://` issuer may name: only this machine (a test or a local IdP); anywhere else, https. */
const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i;

/**
 * auth.oidc: sign-in through an OpenID Connect provider, for Trino clients (the external-authentication
 * challenge) and for the console. The names of the first seven fields are the ones the issue and tooling
 * use. Register `{server.publicUrl}/oidc/callback` as the client's redirect URI at the IdP.
 */
export const oidcConfigSchema = z
  .object({
    /** The issuer URL; its /.well-known/openid-configuration is read on first use. Required. */
    issuer: z
      .string()
      .url()
      .refine(
        (u) => /^https:\/\//i.test(u) || LOOPBACK.test(u),
        'an https:// URL (http:// only for 127.0.0.1, localhost or [::1])',
      ),
    /** The client id registered at the IdP; ID tokens must name it as audience. Required. */
    clientId: z.string().min(1).max(512),
    /** The client secret (client_secret_basic). Use ${ENV:NAME}; never logged. Required. */
    clientSecret: z.string().min(1).max(4096),
    /** Scopes asked for. Default [openid, profile, email, offline_access] (offline_access: refresh tokens). */
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope token'))
      .min(1)
      .refine((s) => s.includes('openid'), 'must include openid')
      .default(['openid', 'profile', 'email', 'offline_access']),
    /** ID-token claim holding the user name sent to Trino as X-Trino-User. Default sub. */
    userClaim: z.string().min(1).default('sub'),
    /** Claim holding routing groups. Default groups. */
    groupsClaim: z.string().min(1).default('groups'),
    /** Claim holding roles (admin, user). Default roles. */
    rolesClaim: z.string().min(1).default('roles'),
    /** IdP group → routing groups it grants; a claim value not listed stays a group name. Default none. */
    groupMap: z.record(z.string(), z.array(z.string().min(1))).default({}),
    /** Claim holding the preferred routing group. Default: none (routing.defaultGroup). */
    defaultGroupClaim: z.string().min(1).optional(),
    /**
     * Seconds a client's sign-in may take, from the 401 to the callback (Trino's
     * http-server.authentication.oauth2.challenge-timeout). Default 900.
     */
    challengeTimeoutSeconds: z.number().int().min(10).max(3600).default(900),
    /** Seconds one request to the IdP (discovery, token, JWKS) may take before it counts as down. Default 5. */
    requestTimeoutSeconds: z.number().min(0.1).max(60).default(5),
    /**
     * Renew an expired token with the IdP's refresh token, as Trino's refresh-tokens mode does: the 401
     * names only x_token_server and the client gets a new token without a browser. Default true.
     */
    refreshTokens: z.boolean().default(true),
    /** Clock tolerance in seconds for ID tokens and bearer JWTs. Default 30. */
    clockToleranceSeconds: z.number().int().min(0).max(600).default(30),
  })
  .strict();

export type OidcConfig = z.infer<typeof oidcConfigSchema>;
