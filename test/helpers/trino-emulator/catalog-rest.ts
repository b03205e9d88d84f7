/**
 * The catalog REST endpoints of some Trino forks: POST /v1/catalog/add with JSON
 * {catalogName, connectorName, properties} and DELETE /v1/catalog/delete?catalogName=NAME.
 */
import type http from 'node:http';
import type { QueryErrorJson } from './protocol.js';
import { createCatalog, dropCatalog, type Cluster } from './sql.js';
import { text } from './http-util.js';

export function restAddCatalog(cluster: Cluster, res: http.ServerResponse, raw: Buffer): void {
  let doc: { catalogName?: unknown; connectorName?: unknown; properties?: unknown };
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    return text(res, 400, 'Invalid JSON body');
  }
  const props = doc?.properties ?? {};
  if (
    typeof doc?.catalogName !== 'string' ||
    !doc.catalogName ||
    typeof doc.connectorName !== 'string' ||
    !doc.connectorName ||
    typeof props !== 'object' ||
    props === null ||
    Array.isArray(props) ||
    Object.values(props).some((v) => typeof v !== 'string')
  )
    return text(
      res,
      400,
      'Expected {"catalogName": string, "connectorName": string, "properties": {string: string}}',
    );
  const err = createCatalog(
    cluster,
    doc.catalogName.toLowerCase(),
    doc.connectorName.toLowerCase(),
    { ...(props as Record<string, string>) },
    false,
    false,
  );
  restAnswer(res, err);
}

export function restDropCatalog(cluster: Cluster, res: http.ServerResponse, url: URL): void {
  const name = url.searchParams.get('catalogName');
  if (!name) return text(res, 400, 'catalogName is required');
  restAnswer(res, dropCatalog(cluster, name.toLowerCase(), false, false));
}

/** restAnswer: 200 on success; otherwise the QueryError as JSON, 404/409 for missing/existing catalogs. */
function restAnswer(res: http.ServerResponse, err: QueryErrorJson | undefined): void {
  if (!err) return text(res, 200, 'OK');
  const status =
    err.errorName === 'CATALOG_NOT_FOUND' ? 404 : err.errorName === 'CATALOG_ALREADY_EXISTS' ? 409 : 400;
  const { failureInfo: _omit, ...doc } = err;
  const b = JSON.stringify(doc);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) });
  res.end(b);
}
