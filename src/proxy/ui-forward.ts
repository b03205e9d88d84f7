import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.js';
import { GatewayError } from '../trino/errors.js';
import { ownerBackend, queryBackend } from './follow-up-owner.js';
import { noBackend } from './no-backend.js';
import type { ProxyContext } from './proxy-deps.js';
import { relay, relayAny } from './relay.js';
import { readCookie } from './request-parts.js';
import { uiLoginForm } from './ui-login.js';

/** The cookie that pins a browser's /ui requests to the cluster whose query page it opened. */
const UI_COOKIE = 'switchyard_ui';

/**
 * uiQuery serves /ui/query.html?{queryId} from the cluster that owns the query, and pins the browser's
 * further /ui requests (the page's scripts and API calls) to that cluster.
 */
export async function uiQuery(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  queryId: string,
): Promise<void> {
  const b = queryBackend(cx.registry, cx.affinity, queryId);
  res.setHeader('set-cookie', `${UI_COOKIE}=${cx.codec.encode(b.name)}; Path=/ui; HttpOnly; SameSite=Lax`);
  await relay(cx, req, res, b, req.url ?? '', false);
}

/** ui serves any other /ui path: from the pinned cluster when there is one, else from the default group. */
export async function ui(cx: ProxyContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (/(^|\/)\.\.?(\/|$)|%2e|\\/i.test(req.url ?? ''))
    throw new GatewayError(400, 'BAD_REQUEST', 'path traversal refused');
  const b = pinnedBackend(cx, req);
  if (b) await relay(cx, req, res, b, req.url ?? '', false);
  else await relayAny(cx, req, res);
}

/**
 * uiLogin sends the cluster's UI form login on with the username the principal decided (the form's own
 * username was checked like X-Trino-User), so no one gets a UI token for a user they may not act as. The
 * password goes only to a cluster that is sent clients' credentials.
 */
export async function uiLogin(
  cx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  principal: Principal,
  user: string,
): Promise<void> {
  const form = await uiLoginForm(req, principal, user, cx.resolveUser);
  const b = pinnedBackend(cx, req) ?? cx.picker.pick(cx.defaultGroup, { user: '' })?.backend;
  if (!b) throw noBackend(cx.defaultGroup);
  await relay(cx, req, res, b, req.url ?? '', false, form.body(b.forwardsAuthorization));
}

/** pinnedBackend is the configured cluster the browser's UI cookie names, if any. */
function pinnedBackend(cx: ProxyContext, req: IncomingMessage) {
  const pinned = readCookie(req.headers.cookie, UI_COOKIE);
  const owner = pinned ? cx.codec.decode(pinned) : undefined;
  return owner && cx.registry.get(owner) ? ownerBackend(cx.registry, owner) : undefined;
}
