/**
 * What happens to a request before any resource sees it, in Trino's order: Jetty's request customizer
 * for forwarded headers (airlift), then the request's view of itself (ExternalUriInfo: the base URI Trino
 * builds every URL from, and whether it counts as secure), then authentication (AuthenticationFilter with
 * InsecureAuthenticator / PasswordAuthenticator) for resources that are not PUBLIC.
 */
import type http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { firstValue, jettyError, text } from './http-util.js';
import type { Settings } from './options.js';

const X_FORWARDED = 'x-forwarded-';
const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="Trino"' };

export interface RequestView {
  /** scheme://authority[prefix], as Trino puts at the start of every URL it builds. */
  base: string;
  /** Whether Trino takes the request as secure (TLS, or X-Forwarded-Proto: https when forwarding is accepted). */
  secure: boolean;
  /** The header family: `x-trino-`, or `x-<alternate>-` when protocol.v1.alternate-header-name names one in use. */
  family: string;
}

/**
 * forwardedGate applies http-server.process-forwarded: REJECT answers the first X-Forwarded-* header with
 * Jetty's 406 (the name as the client spelled it); IGNORE removes them all. Returns false when answered.
 */
export function forwardedGate(req: http.IncomingMessage, res: http.ServerResponse, s: Settings): boolean {
  if (s.processForwarded === 'ACCEPT') return true;
  if (s.processForwarded === 'IGNORE') {
    for (const k of Object.keys(req.headers)) if (k.startsWith(X_FORWARDED)) delete req.headers[k];
    return true;
  }
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase().startsWith(X_FORWARDED)) {
      jettyError(
        res,
        406,
        `Server configuration does not allow processing of the ${raw[i]} header`,
        req.url ?? '/',
      );
      return false;
    }
  }
  return true;
}

/** view is how Trino sees the request's own address (forwarded headers count only when accepted). */
export function view(req: http.IncomingMessage, s: Settings, fallbackHost: string): RequestView {
  const h = req.headers;
  const own = s.tls ? 'https' : 'http';
  let proto = own;
  let host = h.host ?? fallbackHost;
  let prefix = '';
  if (s.processForwarded === 'ACCEPT') {
    proto = firstValue(h['x-forwarded-proto'])?.toLowerCase() ?? own;
    const fHost = firstValue(h['x-forwarded-host']);
    const fPort = firstValue(h['x-forwarded-port']);
    if (fHost) host = fPort && !fHost.includes(':') ? `${fHost}:${fPort}` : fHost;
    prefix = (firstValue(h['x-forwarded-prefix']) ?? '').replace(/\/+$/, '');
    if (prefix && !prefix.startsWith('/')) prefix = `/${prefix}`;
  }
  if (s.frontedBy)
    return { base: s.frontedBy, secure: s.frontedBy.startsWith('https:'), family: family(req, s) };
  return { base: `${proto}://${host}${prefix}`, secure: proto === 'https', family: family(req, s) };
}

/** family is ProtocolHeaders.detectProtocol: the alternate family only when configured and used. */
function family(req: http.IncomingMessage, s: Settings): string {
  const alt = s.alternateHeaderName;
  if (!alt) return 'x-trino-';
  const p = `x-${alt}-`;
  for (const k in req.headers) if (k.startsWith(p)) return p;
  return 'x-trino-';
}

/**
 * mixedFamilies is ProtocolDetectionException: with the alternate name set, a request using both
 * families is refused (Trino answers it 400 with this text). Undefined when the request is fine.
 */
export function mixedFamilies(req: http.IncomingMessage, s: Settings): string | undefined {
  const alt = s.alternateHeaderName;
  if (!alt || family(req, s) === 'x-trino-') return undefined;
  for (const k in req.headers)
    if (k.startsWith('x-trino-'))
      return `Both Trino and ${alt[0].toUpperCase()}${alt.slice(1)} headers detected`;
  return undefined;
}

interface Basic {
  user: string;
  password?: string;
}

function basicOf(v: string | undefined): Basic | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(v ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return { user: decoded };
  const password = decoded.slice(i + 1);
  return { user: decoded.slice(0, i), ...(password ? { password } : {}) };
}

/** oauth2Token is OAuth2TokenExchangeResource's GET /oauth2/token/{id}: the token, once the flow is done. */
export function oauth2Token(res: http.ServerResponse, s: Settings): void {
  if (s.authentication !== 'oauth2' || !s.oauth2Tokens.length) return text(res, 404, 'Not Found');
  const b = JSON.stringify({ token: s.oauth2Tokens[0] });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) }).end(b);
}

/**
 * authenticate is AuthenticationFilter for a non-PUBLIC resource: the authenticated user, or undefined
 * after answering 401/403 in Trino's words.
 */
export function authenticate(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  s: Settings,
  v: RequestView,
): string | undefined {
  const basic = basicOf(req.headers.authorization);
  if (s.authentication === 'oauth2' && v.secure) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer && s.oauth2Tokens.includes(bearer) ? bearer : undefined;
    if (!token) {
      const id = randomUUID();
      // OAuth2TokenExchange.hashAuthId: the initiate link names sha256(authId), never the id itself.
      const hash = createHash('sha256').update(id).digest('hex');
      const challenge = `Bearer x_redirect_server="${v.base}/oauth2/token/initiate/${hash}", x_token_server="${v.base}/oauth2/token/${id}"`;
      return void text(res, 401, 'Unauthorized', { 'www-authenticate': challenge });
    }
    const named = req.headers[`${v.family}user`];
    return (Array.isArray(named) ? named[0] : named) || `oauth-${token.slice(0, 8)}`;
  }
  if (s.authentication === 'password' && v.secure) {
    if (!basic?.password) return void text(res, 401, 'Unauthorized', BASIC_CHALLENGE);
    if (s.passwords[basic.user] !== basic.password)
      return void text(res, 401, 'Access Denied: Invalid credentials', BASIC_CHALLENGE);
    return basic.user;
  }
  if (s.authentication !== 'insecure' && !s.allowInsecureOverHttp)
    return void text(res, 403, 'Authentication over HTTP is not enabled');
  // InsecureAuthenticator: a user name from Basic (never with a password) or from the user header.
  if (basic?.password)
    return void text(res, 401, 'Password not allowed for insecure authentication', BASIC_CHALLENGE);
  const named = req.headers[`${v.family}user`];
  const user = basic?.user || (Array.isArray(named) ? named[0] : named) || undefined;
  if (!user) return void text(res, 401, 'Basic authentication or X-Trino-User must be sent', BASIC_CHALLENGE);
  return user;
}
