import { z } from 'zod';

// The fields are checked by the catalog validators (identifiers.ts), which name the field at fault; the
// metadata gives the OpenAPI document their types.
const IDENTIFIER = { type: 'string', description: 'catalog name: a Trino identifier (lower-cased)' } as const;
const CONNECTOR = { type: 'string', description: 'connector name, e.g. memory, hive, postgresql' } as const;
const PROPERTIES = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'catalog properties; secret-looking values are sealed at rest and masked in answers',
} as const;

export const catalogInput = z
  .object({
    /** Routing group; default: the configured default group. */
    group: z.string().optional(),
    name: z.unknown().meta(IDENTIFIER),
    connector: z.unknown().meta(CONNECTOR),
    properties: z.unknown().optional().meta(PROPERTIES),
  })
  .strict();

export const catalogReplace = z
  .object({ connector: z.unknown().optional().meta(CONNECTOR), properties: z.unknown().meta(PROPERTIES) })
  .strict();

/** The seed-compatible body of POST /v1/catalog/add. */
export const seedAdd = z
  .object({
    catalogName: z.unknown().meta(IDENTIFIER),
    connectorName: z.unknown().meta(CONNECTOR),
    properties: z.unknown().optional().meta(PROPERTIES),
  })
  .loose();
