import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { GatewayError, writeTrinoError } from '../trino/errors.js';
import { HANDLE_SEP } from '../trino/paths.js';
import type { ResponseBody, UpstreamResponse } from './forward.js';
import type { UrlRewriteContext } from './url-rewrite.js';

/** The two URL parameters of Trino's external-authentication challenge (OAuth2Authenticator). */
const CHALLENGE_URL = /\b(x_redirect_server|x_token_server)="([^"]*)"/g;

/** isExternalAuthChallenge tells a cluster's OAuth2 401 (a Bearer challenge naming x_token_server). */
export function isExternalAuthChallenge(up: UpstreamResponse): boolean {
  if (up.statusCode !== 401) return false;
  const v = up.headers['www-authenticate'];
  return (Array.isArray(v) ? v.join(', ') : (v ?? '')).includes('x_token_server=');
}

/**
 * rewriteChallenge points the challenge's URLs at the gateway, with the issuing cluster's signed handle
 * after the id (`/oauth2/token/{authId}~{handle}`, `/oauth2/token/initiate/{hash}~{handle}`), so the token
 * poll and the browser's sign-in reach the cluster that issued the id, whatever routing would say. A URL
 * the cluster did not build on one of its own origins (or the gateway's), or not under /oauth2/token/, is
 * dropped with its parameter: a client is never sent to an internal or a foreign address.
 */
export function rewriteChallenge(value: string, ctx: UrlRewriteContext): string {
  return value.replace(CHALLENGE_URL, (whole, name: string, url: string) => {
    const path = pathOn(url, ctx.origins);
    if (path === undefined || !/^\/oauth2\/token\/[^/~?#]+(\/[^/~?#]+)?$/.test(path)) return '';
    return `${name}="${ctx.publicUrl}${path}${HANDLE_SEP}${ctx.handle}"`;
  });
}

/** pathOn is the path of url when it starts with one of the origins, else undefined. */
function pathOn(url: string, origins: readonly string[]): string | undefined {
  for (const o of origins)
    if (url.startsWith(o) && url[o.length] === '/') return url.slice(o.length).split(/[?#]/)[0];
  return undefined;
}

/**
 * ChallengeBody answers a submission that a cluster running its own OAuth2 challenged: 401 in Trino's
 * error JSON, with the challenge rewritten to the gateway. Trino's clients read only the header; the query
 * never started, so nothing is recorded.
 */
export class ChallengeBody implements ResponseBody {
  constructor(
    private readonly up: UpstreamResponse,
    private readonly res: ServerResponse,
    private readonly ctx: UrlRewriteContext,
    private readonly backend: string,
    private readonly done: () => void,
  ) {}

  data(): void {}

  end(): void {
    const challenge = challengeOf(this.up.headers, this.ctx);
    const headers: Record<string, string> = challenge ? { 'www-authenticate': challenge } : {};
    writeTrinoError(
      this.res,
      new GatewayError(
        401,
        'AUTHENTICATION_FAILED',
        `backend ${this.backend} asks for sign-in (OAuth2)`,
        'USER_ERROR',
        headers,
      ),
    );
    this.done();
  }

  abort(): void {
    this.res.destroy();
  }

  discard(): void {}
}

function challengeOf(h: IncomingHttpHeaders, ctx: UrlRewriteContext): string | undefined {
  const v = h['www-authenticate'];
  const all = Array.isArray(v) ? v : v ? [v] : [];
  const out = all.map((c) => rewriteChallenge(c, ctx).replace(/,\s*,/g, ',').replace(/,\s*$/, ''));
  return out.length ? out.join(', ') : undefined;
}
