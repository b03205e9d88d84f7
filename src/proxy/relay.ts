import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from '../backends/backend.js';
import { HANDLE_SEP } from '../trino/paths.js';
import { answerUpstreamFailure } from './failure-answer.js';
import { rewriteChallenge } from './oauth2-challenge.js';
import { ownerBackend } from './follow-up-owner.js';
import { noBackend } from './no-backend.js';
import { prepareHeaders } from './forward-headers.js';
import type { ProxyContext } from './proxy-deps.js';

/**
 * relay forwards a request whose response the gateway does not look into (binary-safe, compression
 * preserved): /v1/query, cancels, /v1/info and /v1/status, the cluster's UI. `body` replaces a request body
 * the gateway already read. A redirect to the cluster itself comes back pointing at the gateway. Resolves
 * true when the cluster answered below 300; a failure has been answered then.
 */
export async function relay(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  b: Backend,
  path: string,
  stripEncoding: boolean,
  body?: Buffer,
): Promise<boolean> {
  prepareHeaders(req, b, cx.tls, stripEncoding, cx.prefix);
  const rewriteLocation = (loc: string) => ownLocation(cx.publicUrl, b, loc);
  // A cluster running its own OAuth2 may challenge any request (a token that expired mid-query).
  const rewrite = (v: string) => rewriteChallenge(v, cx.rewrites.of(b, b.origin));
  const out = await cx.forwarder.forward(req, res, b, {
    path,
    body,
    rewriteLocation,
    rewriteChallenge: rewrite,
  });
  if (!out.ok) answerUpstreamFailure(cx, res, b, out.kind);
  return out.ok && out.status < 300;
}

/**
 * relaySegment relays a spooled segment download or ack to the owner the handle names: a backend, or
 * `backend@origin` for one of its workers (where a WORKER_PROXY 303 pointed). No client credentials go
 * (the endpoints are PUBLIC in Trino's CoordinatorSegmentResource). A 303 to a worker comes back pointing
 * at the gateway, with a handle naming the worker; a redirect to object storage
 * (COORDINATOR_STORAGE_REDIRECT) is left alone.
 */
export async function relaySegment(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  owner: string,
  path: string,
): Promise<void> {
  const at = owner.indexOf('@');
  const b = ownerBackend(cx.registry, at < 0 ? owner : owner.slice(0, at));
  const origin = at < 0 ? undefined : owner.slice(at + 1);
  prepareHeaders(req, b, cx.tls, false, cx.prefix);
  if (req.headers.authorization !== undefined) delete req.headers.authorization;
  const rewriteLocation = (loc: string) => segmentLocation(cx, b, loc);
  const opts = { path, origin, rewriteLocation, storageRedirects: true };
  const out = await cx.forwarder.forward(req, res, b, opts);
  if (!out.ok) answerUpstreamFailure(cx, res, b, out.kind);
}

/**
 * ownLocation points a redirect at the gateway when it points at the cluster itself (Trino's web UI
 * builds absolute Locations from the request: its login form, the page after login).
 */
export function ownLocation(publicUrl: string, b: Backend, loc: string): string | undefined {
  for (const o of [b.origin, ...b.advertisedOrigins])
    if (loc.startsWith(o) && (loc.length === o.length || loc[o.length] === '/'))
      return publicUrl + loc.slice(o.length);
  return undefined;
}

/** segmentLocation points a segment redirect (WORKER_PROXY's 303) at the gateway, with the handle of its owner. */
export function segmentLocation(
  cx: Pick<ProxyContext, 'publicUrl' | 'codec'>,
  b: Backend,
  loc: string,
): string | undefined {
  let u: URL;
  try {
    u = new URL(loc);
  } catch {
    return undefined;
  }
  if (!u.pathname.startsWith('/v1/spooled/download/') || u.pathname.includes(HANDLE_SEP)) return undefined;
  const own = u.origin === b.origin || b.advertisedOrigins.includes(u.origin);
  const handle = cx.codec.encode(own ? b.name : `${b.name}@${u.origin}`);
  return `${cx.publicUrl}${u.pathname}${HANDLE_SEP}${handle}${u.search}`;
}

/**
 * relayAny sends a request that belongs to no query (/v1/info, /v1/status, UI pages without a pinned
 * cluster) to an available backend of the default group, or answers the no-backend 503.
 */
export async function relayAny(cx: ProxyContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pick = cx.picker.pick(cx.defaultGroup, { user: '' });
  if (!pick) throw noBackend(cx.defaultGroup);
  await relay(cx, req, res, pick.backend, req.url ?? '/', false);
}
