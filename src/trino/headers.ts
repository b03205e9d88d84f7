/**
 * Trino client protocol header names. Trino accepts two families, X-Trino-* and the older X-Presto-*
 * (io.trino.client.ProtocolHeaders); a request uses one family and Trino answers in the same one.
 */
export const TRINO = {
  user: 'x-trino-user',
  source: 'x-trino-source',
  catalog: 'x-trino-catalog',
  schema: 'x-trino-schema',
  clientTags: 'x-trino-client-tags',
  clientInfo: 'x-trino-client-info',
  routingGroup: 'x-trino-routing-group',
  transactionId: 'x-trino-transaction-id',
  startedTransactionId: 'x-trino-started-transaction-id',
  clearTransactionId: 'x-trino-clear-transaction-id',
  preparedStatement: 'x-trino-prepared-statement',
} as const;

export const PRESTO = {
  user: 'x-presto-user',
  source: 'x-presto-source',
  catalog: 'x-presto-catalog',
  schema: 'x-presto-schema',
  clientTags: 'x-presto-client-tags',
  clientInfo: 'x-presto-client-info',
  routingGroup: 'x-presto-routing-group',
  transactionId: 'x-presto-transaction-id',
  startedTransactionId: 'x-presto-started-transaction-id',
  clearTransactionId: 'x-presto-clear-transaction-id',
  preparedStatement: 'x-presto-prepared-statement',
} as const;

type Headers = Record<string, string | string[] | undefined>;

/** header returns the first value of a Trino header, looking in the Trino family then the Presto one. */
export function header(h: Headers, name: keyof typeof TRINO): string | undefined {
  const v = h[TRINO[name]] ?? h[PRESTO[name]];
  return Array.isArray(v) ? v[0] : v;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) never forwarded in either direction. */
export const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
] as const;
