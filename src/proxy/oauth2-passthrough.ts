import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Backend } from '../backends/backend.js';
import { GatewayError, writeTrinoError } from '../trino/errors.js';
import { HANDLE_SEP, splitHandle } from '../trino/paths.js';
import type { ProxyContext } from './proxy-deps.js';
import { foreignOrigin } from './response-guard.js';
import { readCookie } from './request-parts.js';
import { htmlPage } from './ui-pages.js';
import { pinCookie } from './ui-pin.js';
import { relay, type RelayHooks } from './ui-relay.js';

/** Trino's challenge timeout (OAuth2Config challenge-timeout, 15 minutes): how long a sign-in may take. */
const SIGN_IN_SECONDS = 15 * 60;
const PIN_PREFIX = 'sy_oauth2_';
const AUTH_ID = /^[0-9a-fA-F-]{36}$/;
const AUTH_HASH = /^[0-9A-Za-z_-]{1,128}$/;

/**
 * OAuth2PassThrough serves /oauth2/* for clusters that run their own OAuth2 (Trino's OAuth2TokenExchange-
 * Resource and OAuth2CallbackResource), always on the cluster that issued the sign-in, never a guess:
 * - the token poll and the initiate link carry the issuer's signed handle (oauth2-challenge.ts put it there);
 * - the callback carries none (the IdP builds it), so when the initiate link sends the browser to the IdP,
 *   the gateway sets a pin cookie for that sign-in only: its name holds a digest of the authorization
 *   request's state, its value the issuer's signed handle. A callback whose state has no pin is refused.
 * So a user whose next query goes to another cluster of the group signs in there, and never loops between
 * two clusters' token servers (trino-gateway #892). The cluster must build the gateway's URLs
 * (backends[].processForwarded with http-server.process-forwarded on the cluster): the IdP returns the
 * browser to the redirect_uri the cluster named, and the cluster exchanges its code with that same URI.
 */
export class OAuth2PassThrough {
  constructor(
    private readonly cx: ProxyContext,
    private readonly secureCookies: boolean,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
    const parts = path.split('/'); // ['', 'oauth2', 'token', id] or [..., 'initiate', hash]
    if (path === '/oauth2/callback') return this.callback(req, res, search);
    if (parts.length === 5 && parts[2] === 'token' && parts[3] === 'initiate')
      return this.initiate(req, res, parts[4]);
    if (parts.length === 4 && parts[2] === 'token') return this.token(req, res, parts[3]);
    htmlPage(res, 404, 'Not found', 'This address is not part of any sign-in this gateway knows.');
  }

  /** initiate sends the browser to the IdP, through the cluster that issued the link, and pins the callback. */
  private async initiate(req: IncomingMessage, res: ServerResponse, segment: string): Promise<void> {
    const { base, handle } = splitHandle(segment);
    const b = this.owner(handle);
    if (!b || !AUTH_HASH.test(base))
      return htmlPage(
        res,
        404,
        'Unknown sign-in link',
        'This sign-in link was not issued through this gateway. Start the sign-in again from your client.',
      );
    if (req.method !== 'GET') return htmlPage(res, 405, 'Not allowed', 'A sign-in link is opened with GET.');
    await relay(
      this.cx,
      req,
      res,
      b,
      `/oauth2/token/initiate/${base}`,
      signInRedirect(this.cx, b, this.secureCookies),
    );
  }

  /** callback hands the IdP's answer to the cluster its pin names, and drops the pin. */
  private async callback(req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
    const state = new URLSearchParams(search).get('state');
    const pinned = state ? readCookie(req.headers.cookie, pinName(state)) : undefined;
    const b = this.owner(pinned);
    if (!state || !b)
      return htmlPage(
        res,
        400,
        'Sign-in not recognised',
        'This sign-in did not start at this gateway, was already completed, or took longer than 15 minutes. Start the sign-in again from your client.',
      );
    await relay(this.cx, req, res, b, `/oauth2/callback${search}`, {
      head: (status, h) => {
        addCookie(h, this.pin(state, '', 0));
        // The web UI's own sign-in ends on /ui/: the browser's UI is then this cluster's.
        if (status === 303 && /\/ui\/?$/.test(String(h.location ?? '')))
          addCookie(h, pinCookie(this.cx.codec.encode(b.name), this.secureCookies, this.cx.prefix));
        return status;
      },
    });
  }

  /**
   * token relays a client's token poll (or its DELETE) to the issuer: `nextUri` is pointed back at the
   * gateway with the handle; the token passes as it is. An id without a valid handle was never issued here.
   */
  private async token(req: IncomingMessage, res: ServerResponse, segment: string): Promise<void> {
    const { base, handle } = splitHandle(segment);
    const b = this.owner(handle);
    if (!b || !AUTH_ID.test(base))
      return writeTrinoError(
        res,
        new GatewayError(404, 'NOT_FOUND', 'this token server id was not issued through this gateway'),
      );
    if (req.method !== 'GET' && req.method !== 'DELETE')
      return writeTrinoError(
        res,
        new GatewayError(405, 'NOT_SUPPORTED', `${req.method} is not allowed on a token server`),
      );
    const own = `${this.cx.publicUrl}/oauth2/token/${base}${HANDLE_SEP}${handle}`;
    await relay(this.cx, req, res, b, `/oauth2/token/${base}`, {
      whole: (status, body) => (status === 200 ? withNextUri(body, own) : body),
    });
  }

  private owner(handle: string | undefined): Backend | undefined {
    const name = handle ? this.cx.codec.decode(handle) : undefined;
    return name ? this.cx.registry.get(name) : undefined;
  }

  private pin(state: string, value: string, maxAge: number): string {
    return pinLine(this.cx, state, value, maxAge, this.secureCookies);
  }
}

/**
 * signInRedirect lets a cluster's 302/303 to its IdP pass (an authorization request whose redirect_uri is
 * the gateway's /oauth2/callback: the IdP returns the browser here) and pins that sign-in's callback to
 * the cluster. Used for the initiate link and for the web UI's own OAuth2 sign-in. Any other redirect
 * elsewhere is refused with a page naming the setting to change.
 */
export function signInRedirect(cx: ProxyContext, b: Backend, secure: boolean): RelayHooks {
  const callback = `${cx.publicUrl}/oauth2/callback`;
  return {
    foreignLocation: (loc) => redirectUriOf(loc) === callback,
    refused: (r, loc) =>
      redirectUriOf(loc) !== undefined
        ? htmlPage(
            r,
            502,
            'Sign-in cannot start',
            `Cluster ${b.name} asks the identity provider to return to an address other than this gateway's. Set backends[].processForwarded for it (and http-server.process-forwarded=true on the cluster) so that it builds the gateway's URLs.`,
          )
        : writeTrinoError(r, foreignOrigin(b.name, 'redirect')),
    head: (status, h) => {
      const state = status === 302 || status === 303 ? stateOf(String(h.location ?? '')) : undefined;
      if (state) addCookie(h, pinLine(cx, state, cx.codec.encode(b.name), SIGN_IN_SECONDS, secure));
      return status;
    },
  };
}

function pinLine(cx: ProxyContext, state: string, value: string, maxAge: number, secure: boolean): string {
  const s = secure ? '; Secure' : '';
  return `${pinName(state)}=${value}; Path=${cx.prefix}/oauth2/callback; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${s}`;
}

/** pinName is the pin cookie's name for one sign-in: a digest of its state (the state itself stays out). */
function pinName(state: string): string {
  return PIN_PREFIX + createHash('sha256').update(state).digest('base64url').slice(0, 22);
}

export function addCookie(h: OutgoingHttpHeaders, line: string): void {
  const v = h['set-cookie'];
  h['set-cookie'] = [...(Array.isArray(v) ? v : v !== undefined ? [String(v)] : []), line];
}

/** redirectUriOf is the redirect_uri of an OAuth2 authorization request URL, else undefined. */
function redirectUriOf(loc: string): string | undefined {
  try {
    const u = new URL(loc);
    if (!/^https?:$/.test(u.protocol) || u.searchParams.get('response_type') === null) return undefined;
    return u.searchParams.get('redirect_uri') ?? undefined;
  } catch {
    return undefined;
  }
}

function stateOf(loc: string): string | undefined {
  try {
    return new URL(loc).searchParams.get('state') ?? undefined;
  } catch {
    return undefined;
  }
}

/** withNextUri replaces a pending poll's nextUri with the gateway's own URL of the same token server. */
function withNextUri(body: Buffer, own: string): Buffer {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (!doc || typeof doc !== 'object' || !('nextUri' in doc)) return body;
  return Buffer.from(JSON.stringify({ ...doc, nextUri: own }));
}
