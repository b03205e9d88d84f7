import { isUtf8 } from 'node:buffer';
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

const PLAIN = /^[\x20-\x7e]*$/;
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const BEYOND_LATIN1 = /[^\x00-\xff]/;

/**
 * decodeHeaderText turns a header value as Node hands it over (one character per byte) into text: UTF-8
 * when the bytes are valid UTF-8, else ISO-8859-1 (what Python's requests and Node send for a name like
 * "José"; Java clients send ASCII only). Undefined when the text holds control characters.
 */
export function decodeHeaderText(v: string): string | undefined {
  if (PLAIN.test(v)) return v;
  const bytes = Buffer.from(v, 'latin1');
  const text = isUtf8(bytes) ? bytes.toString('utf8') : v;
  return CONTROL.test(text) ? undefined : text;
}

/**
 * encodeHeaderText is the header value that carries text: as is when every character fits ISO-8859-1 (as
 * a Trino client would send it), else its UTF-8 bytes (no client can send such a name in ISO-8859-1).
 */
export function encodeHeaderText(t: string): string {
  return BEYOND_LATIN1.test(t) ? Buffer.from(t, 'utf8').toString('latin1') : t;
}
