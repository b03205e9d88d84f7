import { z } from 'zod';
import { pattern } from '../auth/auth-config.js';
import { SELECTION_POLICIES, backendSchema, httpUrl, nameSchema } from '../config/schema.js';

/** A backend as the admin API takes it: the fields of gateway.config.yaml (externalUrl may be null to clear it). */
export const backendInput = backendSchema.extend({ externalUrl: httpUrl.nullish() });

/** A partial change of a backend (PATCH); the name cannot change. */
export const backendPatch = backendInput.omit({ name: true }).partial().strict();

export const groupInput = z
  .object({
    policy: z.enum(SELECTION_POLICIES).default('least-loaded'),
    fallback: nameSchema.nullish(),
  })
  .strict();

const userFields = {
  /** Plaintext only in the request; stored as a scrypt hash. */
  password: z.string().min(8, 'expected at least 8 characters').max(1024),
  groups: z
    .array(z.union([nameSchema, z.literal('*')]))
    .max(100)
    .default([]),
  roles: z
    .array(z.enum(['user', 'admin']))
    .min(1)
    .default(['user']),
  defaultGroup: nameSchema.nullish(),
  impersonate: z.array(pattern).max(50).default([]),
};

export const userInput = z
  .object({
    name: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[^\s:]+$/, 'no spaces or colons'),
    ...userFields,
  })
  .strict();

export const userPatch = z
  .object({
    password: userFields.password.optional(),
    groups: z
      .array(z.union([nameSchema, z.literal('*')]))
      .max(100)
      .optional(),
    roles: z
      .array(z.enum(['user', 'admin']))
      .min(1)
      .optional(),
    defaultGroup: nameSchema.nullish(),
    impersonate: z.array(pattern).max(50).optional(),
  })
  .strict();

/** trino-gateway's ProxyBackendConfiguration. */
export const compatBackend = z
  .object({
    name: nameSchema,
    proxyTo: httpUrl,
    active: z.boolean().default(true),
    routingGroup: nameSchema.default('adhoc'),
    externalUrl: httpUrl.nullish(),
  })
  .loose();
