import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

const PRESTO = 'x-presto-';
const TRINO = 'x-trino-';
const X = 0x78;

/** Marks an answer to a request of the Presto family: its X-Trino-* response headers go back as X-Presto-*. */
const PRESTO_CLIENT = Symbol('prestoClient');
type Marked = ServerResponse & { [PRESTO_CLIENT]?: true };

/**
 * toTrinoFamily makes every protocol request speak X-Trino-*, before anything reads its headers. A Trino at
 * its defaults ignores X-Presto-* (ProtocolHeaders.detectProtocol honours that family only with the
 * deprecated protocol.v1.alternate-header-name=Presto), while every Trino takes X-Trino-*. So:
 * - a request in the Presto family alone (presto-client, Presto-era tools) has each X-Presto-<name> renamed
 *   X-Trino-<name>, and its answer is marked so the cluster's X-Trino-* response headers go back renamed
 *   (presto-client reads X-Presto-Set-Session and the like);
 * - a request carrying X-Trino-* headers is in the Trino family: its stray X-Presto-* headers are dropped,
 *   as a default Trino ignores them (a cluster with the alternate name set would refuse the mix).
 * Authentication, the identity rule and routing then read the same user header the cluster gets.
 * A request with no X-Presto-* header (the common case) costs one pass over its header names.
 */
export function toTrinoFamily(req: IncomingMessage, res: ServerResponse): void {
  const h = req.headers;
  let presto = false;
  let trino = false;
  for (const k in h) {
    if (k.charCodeAt(0) !== X) continue;
    if (k.startsWith(PRESTO)) presto = true;
    else if (k.startsWith(TRINO)) trino = true;
  }
  if (!presto) return;
  for (const k of Object.keys(h)) {
    if (!k.startsWith(PRESTO)) continue;
    if (!trino) h[TRINO + k.slice(PRESTO.length)] = h[k];
    delete h[k];
  }
  if (!trino) (res as Marked)[PRESTO_CLIENT] = true;
}

/** speaksPresto tells whether the answer goes to a client of the Presto family. */
export function speaksPresto(res: ServerResponse): boolean {
  return (res as Marked)[PRESTO_CLIENT] === true;
}

/**
 * toPrestoFamily renames a cluster's X-Trino-* response headers (Set-Session, Set-Catalog, Started-
 * Transaction-Id, …) to X-Presto-* in place, for an answer to a client of the Presto family.
 */
export function toPrestoFamily(h: IncomingHttpHeaders | OutgoingHttpHeaders): void {
  for (const k of Object.keys(h)) {
    if (k.charCodeAt(0) !== X || !k.startsWith(TRINO)) continue;
    h[PRESTO + k.slice(TRINO.length)] = h[k];
    delete h[k];
  }
}
