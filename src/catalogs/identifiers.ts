import { AppError } from '../app-error.js';

/**
 * Validation of the inputs of catalog broadcast: catalog names, connector names and catalog properties.
 * Everything that ends up in a CREATE/DROP CATALOG statement passes through here first; catalog-sql.ts
 * still quotes and escapes, so validation is the first of two layers, not the only one.
 */

/** refused is the 400 of a validator, naming the input (`catalogName`, `properties.connection-url`). */
function refused(field: string, message: string): AppError {
  return new AppError(400, `${field}: ${message}`);
}

/**
 * Catalog names: an unquoted Trino identifier, restricted to ASCII. Upper-case input is accepted and
 * lower-cased, as Trino itself does for an unquoted `CREATE CATALOG MyCat` (the catalog is `mycat`);
 * the returned name is the canonical one to store and compare.
 */
export const CATALOG_NAME = /^[a-z][a-z0-9_]{0,127}$/;
/** Connector names as Trino's plugins spell them: `postgresql`, `delta_lake`, `bigquery`, `google-sheets`. */
export const CONNECTOR_NAME = /^[a-z][a-z0-9_-]{0,127}$/;
/** Property keys: `connection-url`, `hive.metastore.uri`, `connection-user`. */
export const PROPERTY_KEY = /^[A-Za-z0-9._-]{1,256}$/;
export const MAX_PROPERTY_VALUE_BYTES = 64 * 1024;
export const MAX_PROPERTIES = 200;

/** show renders rejected input for a message: quoted, control characters escaped, cut at 64 chars. */
function show(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : typeof value;
  const s = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return JSON.stringify(s);
}

/** validateCatalogName returns the lower-cased catalog name or throws a 400 naming `field`. */
export function validateCatalogName(name: unknown, field = 'catalogName'): string {
  const lower = typeof name === 'string' ? name.toLowerCase() : undefined;
  // Compare lengths too: toLowerCase can turn one character into several (e.g. 'İ').
  if (lower === undefined || lower.length !== (name as string).length || !CATALOG_NAME.test(lower))
    throw refused(
      field,
      `${show(name)} is not a valid catalog name (letters, digits and _, starting with a letter, at most 128)`,
    );
  return lower;
}

/** validateConnectorName returns the lower-cased connector name or throws a 400 naming `field`. */
export function validateConnectorName(name: unknown, field = 'connectorName'): string {
  const lower = typeof name === 'string' ? name.toLowerCase() : undefined;
  if (lower === undefined || lower.length !== (name as string).length || !CONNECTOR_NAME.test(lower))
    throw refused(
      field,
      `${show(name)} is not a valid connector name (letters, digits, _ and -, starting with a letter, at most 128)`,
    );
  return lower;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * validateProperties checks a catalog's properties: a plain object of at most 200 entries whose keys are
 * letters, digits, `.`, `_` and `-` (at most 256 characters) and whose values are non-empty strings of at
 * most 64 KB (UTF-8) without NUL characters. Returns a fresh copy (own data properties only, so a `__proto__`
 * key stays an ordinary key); keys are kept as given (Trino property names are case-sensitive).
 */
export function validateProperties(props: unknown): Record<string, string> {
  if (!isPlainObject(props)) throw refused('properties', 'expected an object of string values');
  const keys = Object.keys(props);
  if (keys.length > MAX_PROPERTIES)
    throw refused('properties', `at most ${MAX_PROPERTIES} properties (got ${keys.length})`);
  const out: Record<string, string> = {};
  for (const key of keys) {
    if (!PROPERTY_KEY.test(key))
      throw refused(
        'properties',
        `${show(key)} is not a valid property name (letters, digits, ., _ and -, at most 256)`,
      );
    const field = `properties.${key}`;
    const value = props[key];
    if (typeof value !== 'string' || value === '') throw refused(field, 'expected a non-empty string');
    if (value.includes('\0')) throw refused(field, 'must not contain NUL characters');
    if (Buffer.byteLength(value, 'utf8') > MAX_PROPERTY_VALUE_BYTES)
      throw refused(field, `value longer than ${MAX_PROPERTY_VALUE_BYTES} bytes`);
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
