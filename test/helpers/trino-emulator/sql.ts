/**
 * The emulator's tiny statement interpreter. It understands only the statements tests need, with the
 * error names and messages Trino gives (SemanticExceptions carry "line L:C: " prefixes like Trino's
 * analyzer; CreateCatalogTask/DropCatalogTask messages; the static catalog store's NOT_SUPPORTED).
 * `current_cluster()`, `sleep(ms)`, `large_page(bytes)` and `binary_segment(bytes)` are emulator-only
 * functions, not Trino's.
 */
import { column, queryError, type Column, type QueryErrorJson } from './protocol.js';
import { planSession, type SessionFacts } from './session-sql.js';

export type Plan =
  | { kind: 'rows'; columns: Column[]; rows: unknown[][] }
  | { kind: 'sleep'; ms: number }
  | { kind: 'large'; bytes: number }
  | { kind: 'binary'; bytes: number }
  | { kind: 'error'; error: QueryErrorJson }
  | {
      kind: 'update';
      updateType: string;
      headers?: Record<string, string>;
      apply?: () => QueryErrorJson | undefined;
    };

export interface Session extends SessionFacts {
  transactionId?: string;
}

export interface Cluster {
  name: string;
  catalogs: Map<string, { connector: string; properties: Record<string, string> }>;
  staticCatalogs: ReadonlySet<string>;
  catalogStore: 'memory' | 'file' | 'static';
  connectors: readonly string[];
  transactions: Set<string>;
  newTransactionId(): string;
  /** KillQueryProcedure: fails a running query of this cluster, or the error saying why not. */
  killQuery(id: string, message: string | undefined): QueryErrorJson | undefined;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)`;

function ident(s: string): string {
  return s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase();
}

/** stripComments removes `--` and `/* *\/` comments, leaving string literals and quoted identifiers alone. */
function stripComments(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, (m) =>
      m.startsWith("'") || m.startsWith('"') ? m : ' ',
    )
    .trim()
    .replace(/;\s*$/, '')
    .trim();
}

/** parseProperties reads `key = 'value', "dotted.key" = 'it''s'`; undefined when malformed. */
export function parseProperties(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const re = new RegExp(String.raw`\s*(${IDENT}|[A-Za-z_][\w.-]*)\s*=\s*'((?:[^']|'')*)'\s*(,|$)`, 'y');
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return text.slice(pos).trim() === '' ? out : undefined;
    out[ident(m[1])] = m[2].replace(/''/g, "'");
    pos = re.lastIndex;
    if (m[3] === '') break;
  }
  return out;
}

const rows = (name: string, type: string, values: unknown[][]): Plan => ({
  kind: 'rows',
  columns: [column(name, type)],
  rows: values,
});

const LIT = String.raw`'((?:[^']|'')*)'`;
/** CALL system.runtime.kill_query(query_id => '…', message => '…'), named or positional (message optional). */
const KILL_QUERY = new RegExp(
  String.raw`^call\s+system\.runtime\.kill_query\s*\(\s*(?:query_id\s*=>\s*${LIT}(?:\s*,\s*message\s*=>\s*${LIT})?|${LIT}(?:\s*,\s*${LIT})?)\s*\)$`,
  'i',
);

/** plan interprets one statement against the cluster; catalog changes apply when the plan runs. */
export function plan(text: string, session: Session, cluster: Cluster): Plan {
  const sql = stripComments(text);
  let m: RegExpExecArray | null;
  if (/^select\s+1$/i.test(sql)) return rows('_col0', 'integer', [[1]]);
  if ((m = /^select\s+'((?:[^']|'')*)'$/i.exec(sql)))
    return rows('_col0', `varchar(${m[1].length})`, [[m[1].replace(/''/g, "'")]]);
  if (
    (m =
      /^select\s+(?:\*|\w+)\s+from\s+unnest\s*\(\s*sequence\s*\(\s*1\s*,\s*(\d+)\s*\)\s*\)(?:\s+(?:as\s+)?\w+\s*\(\s*\w+\s*\))?$/i.exec(
        sql,
      ))
  ) {
    const n = Number(m[1]);
    return rows(
      '_col0',
      'bigint',
      Array.from({ length: n }, (_, i) => [i + 1]),
    );
  }
  if ((m = /^select\s+sleep\s*\(\s*(\d+)\s*\)$/i.exec(sql))) return { kind: 'sleep', ms: Number(m[1]) };
  if ((m = /^select\s+large_page\s*\(\s*(\d+)\s*\)$/i.exec(sql)))
    return { kind: 'large', bytes: Number(m[1]) };
  if ((m = /^select\s+binary_segment\s*\(\s*(\d+)\s*\)$/i.exec(sql)))
    return { kind: 'binary', bytes: Number(m[1]) };
  if (/^select\s+current_cluster\s*\(\s*\)$/i.test(sql)) return rows('_col0', 'varchar', [[cluster.name]]);
  const about = planSession(sql, session);
  if (about) return about;
  if ((m = /^execute\s+([A-Za-z_][A-Za-z0-9_]*)$/i.exec(sql))) {
    const name = m[1].toLowerCase();
    const prepared = session.prepared[name];
    if (prepared === undefined)
      return { kind: 'error', error: queryError('NOT_FOUND', `Prepared statement not found: ${name}`) };
    return plan(prepared, { ...session, prepared: {} }, cluster);
  }
  if ((m = KILL_QUERY.exec(sql))) {
    const [id, message] = [m[1] ?? m[3], m[2] ?? m[4]].map((x) => x?.replace(/''/g, "'"));
    return { kind: 'update', updateType: 'CALL', apply: () => cluster.killQuery(id, message) };
  }
  if (/^show\s+catalogs$/i.test(sql)) {
    const names = [...new Set([...cluster.staticCatalogs, ...cluster.catalogs.keys()])].sort();
    return rows(
      'Catalog',
      'varchar(6)',
      names.map((n) => [n]),
    );
  }
  if (/^start\s+transaction/i.test(sql)) {
    const id = cluster.newTransactionId();
    return {
      kind: 'update',
      updateType: 'START TRANSACTION',
      headers: { 'started-transaction-id': id },
      apply: () => void cluster.transactions.add(id),
    };
  }
  if (/^(commit|rollback)(\s+work)?$/i.test(sql)) {
    const id = session.transactionId;
    if (!id)
      return { kind: 'error', error: queryError('NOT_SUPPORTED' as const, 'No transaction in progress') };
    return {
      kind: 'update',
      updateType: sql.split(/\s/)[0].toUpperCase(),
      headers: { 'clear-transaction-id': id },
      apply: () => void cluster.transactions.delete(id),
    };
  }
  if ((m = /^set\s+session\s+([\w.]+)\s*=\s*'((?:[^']|'')*)'$/i.exec(sql)))
    return {
      kind: 'update',
      updateType: 'SET SESSION',
      headers: { 'set-session': `${m[1]}=${encodeURIComponent(m[2].replace(/''/g, "'"))}` },
    };
  if (
    (m = new RegExp(
      String.raw`^create\s+catalog\s+(if\s+not\s+exists\s+)?(${IDENT})\s+using\s+(${IDENT})(?:\s+with\s*\(([\s\S]*)\))?$`,
      'i',
    ).exec(sql))
  ) {
    const [, ifNotExists, rawName, rawConnector, rawProps] = m;
    const name = ident(rawName);
    const connector = ident(rawConnector);
    const properties = rawProps === undefined ? {} : parseProperties(rawProps);
    if (!properties) return syntaxError(sql);
    return {
      kind: 'update',
      updateType: 'CREATE CATALOG',
      apply: () => createCatalog(cluster, name, connector, properties, !!ifNotExists),
    };
  }
  if (
    (m = new RegExp(
      String.raw`^drop\s+catalog\s+(if\s+exists\s+)?(${IDENT})(?:\s+(cascade|restrict))?$`,
      'i',
    ).exec(sql))
  ) {
    const [, ifExists, rawName] = m;
    const name = ident(rawName);
    return {
      kind: 'update',
      updateType: 'DROP CATALOG',
      apply: () => dropCatalog(cluster, name, !!ifExists),
    };
  }
  if (
    (m = new RegExp(String.raw`^select\s+[\s\S]+?\s+from\s+(${IDENT}(?:\.${IDENT}){0,2})(?:\s|$)`, 'i').exec(
      sql,
    ))
  ) {
    const parts = m[1].match(new RegExp(IDENT, 'g'))!.map(ident);
    const col = sql.toLowerCase().indexOf(m[1].toLowerCase()) + 1;
    const at = { line: 1, column: col };
    const [cat, sch, tbl] =
      parts.length === 3
        ? parts
        : parts.length === 2
          ? [session.catalog, ...parts]
          : [session.catalog, session.schema, parts[0]];
    if (!cat)
      return {
        kind: 'error',
        error: queryError(
          'MISSING_CATALOG_NAME',
          `line 1:${col}: Catalog must be specified when session catalog is not set`,
          at,
        ),
      };
    if (!sch)
      return {
        kind: 'error',
        error: queryError(
          'MISSING_CATALOG_NAME',
          `line 1:${col}: Schema must be specified when session schema is not set`,
          at,
        ),
      };
    if (!cluster.catalogs.has(cat) && !cluster.staticCatalogs.has(cat))
      return {
        kind: 'error',
        error: queryError('CATALOG_NOT_FOUND', `line 1:${col}: Catalog '${cat}' not found`, at),
      };
    if (cluster.staticCatalogs.has(cat) && cat !== 'tpch' && cat !== 'system')
      return {
        kind: 'error',
        error: queryError(
          'TABLE_NOT_FOUND',
          `line 1:${col}: Table '${cat}.${sch}.${tbl}' does not exist`,
          at,
        ),
      };
    return rows('_col0', 'varchar', [[`${cat}.${sch}.${tbl}@${cluster.name}`]]);
  }
  return syntaxError(sql);
}

/**
 * createCatalog is CreateCatalogTask's effect and errors (shared by CREATE CATALOG and the REST
 * endpoint); `sql` adds the analyzer's "line 1:1: " prefix and location to the messages that have one.
 */
export function createCatalog(
  cluster: Cluster,
  name: string,
  connector: string,
  properties: Record<string, string>,
  ifNotExists: boolean,
  sql = true,
): QueryErrorJson | undefined {
  const at = sql ? { line: 1, column: 1 } : undefined;
  const prefix = sql ? 'line 1:1: ' : '';
  if (cluster.catalogStore === 'static')
    return queryError('NOT_SUPPORTED', 'CREATE CATALOG is not supported by the static catalog store');
  if (cluster.catalogs.has(name) || cluster.staticCatalogs.has(name))
    return ifNotExists
      ? undefined
      : queryError('CATALOG_ALREADY_EXISTS', `${prefix}Catalog '${name}' already exists`, at);
  if (!cluster.connectors.includes(connector))
    return queryError(
      'CONNECTOR_NOT_FOUND',
      `${prefix}No factory for connector '${connector}'. Available factories: [${cluster.connectors.join(', ')}]`,
      at,
    );
  cluster.catalogs.set(name, { connector, properties });
  return undefined;
}

/** dropCatalog is DropCatalogTask's effect and errors (shared by DROP CATALOG and the REST endpoint). */
export function dropCatalog(
  cluster: Cluster,
  name: string,
  ifExists: boolean,
  sql = true,
): QueryErrorJson | undefined {
  const at = sql ? { line: 1, column: 1 } : undefined;
  const prefix = sql ? 'line 1:1: ' : '';
  if (cluster.catalogStore === 'static')
    return queryError('NOT_SUPPORTED', 'DROP CATALOG is not supported by the static catalog store');
  if (cluster.staticCatalogs.has(name))
    return queryError('NOT_SUPPORTED', `${prefix}Catalog '${name}' cannot be dropped`, at);
  if (!cluster.catalogs.delete(name) && !ifExists)
    return queryError('CATALOG_NOT_FOUND', `${prefix}Catalog '${name}' not found`, at);
  return undefined;
}

function syntaxError(sql: string): Plan {
  const first = sql.split(/\s+/)[0]?.slice(0, 40) ?? '';
  return {
    kind: 'error',
    error: queryError(
      'SYNTAX_ERROR',
      `line 1:1: mismatched input '${first}'. Expecting: 'ALTER', 'ANALYZE', 'CALL', 'COMMIT', 'CREATE', 'DEALLOCATE', 'DELETE', 'DENY', 'DESC', 'DESCRIBE', 'DROP', 'EXECUTE', 'EXPLAIN', 'GRANT', 'INSERT', 'MERGE', 'PREPARE', 'REFRESH', 'RESET', 'REVOKE', 'ROLLBACK', 'SET', 'SHOW', 'START', 'TRUNCATE', 'UPDATE', 'USE', 'WITH', <query>`,
      { line: 1, column: 1 },
    ),
  };
}
