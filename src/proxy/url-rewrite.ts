import { HANDLE_SEP } from '../trino/paths.js';

/**
 * rewriteBackendUrl maps a URL a backend put in a statement response (nextUri, infoUri, partialCancelUri,
 * spooled segment uri/ackUri) to the gateway's public URL, embedding the owner's handle where a
 * follow-up will need it. URLs of other origins (e.g. direct object-storage segment URLs) are left alone:
 * it returns undefined for them.
 */
export interface UrlRewriteContext {
  /** Origins the backend may have used: its own, and the one it derived from our X-Forwarded-* headers. */
  origins: readonly string[];
  /** Public base URL of the gateway, without a trailing slash. */
  publicUrl: string;
  /** The owner's signed handle. */
  handle: string;
}

export interface RewrittenUrl {
  url: string;
  /** Query id, when the URL was a statement follow-up. */
  queryId?: string;
}

export function rewriteBackendUrl(url: string, ctx: UrlRewriteContext): RewrittenUrl | undefined {
  let rest: string | undefined;
  for (const o of ctx.origins) {
    if (url.length > o.length && url.startsWith(o) && url.charCodeAt(o.length) === 47 /* / */) {
      rest = url.slice(o.length);
      break;
    }
  }
  if (rest === undefined) return undefined;
  if (rest.startsWith('/v1/statement/')) {
    const followUp = statementFollowUp(rest, ctx);
    if (followUp) return followUp;
  } else if (rest.startsWith('/v1/spooled/')) {
    const q = rest.indexOf('?');
    const path = q < 0 ? rest : rest.slice(0, q);
    const search = q < 0 ? '' : rest.slice(q);
    if (!path.includes(HANDLE_SEP))
      return { url: `${ctx.publicUrl}${path}${HANDLE_SEP}${ctx.handle}${search}` };
  }
  return { url: ctx.publicUrl + rest };
}

/** Slash positions of the URL being looked at (reused: the scan is synchronous and never nests). */
const SLASHES = new Int32Array(10);

/**
 * statementFollowUp rewrites /v1/statement/{queued|executing}/{queryId}/{slug}/{token} and
 * /v1/statement/executing/partialCancel/{queryId}/{stage}/{slug}/{token} (path segments counted from
 * the leading slash: slug is segment 5, or 7 for partialCancel, and the token the last one), putting
 * the handle after the slug unless it already carries one. Found by slash positions, no split/join:
 * this runs for every URL of every page.
 */
function statementFollowUp(rest: string, ctx: UrlRewriteContext): RewrittenUrl | undefined {
  let n = 0;
  for (let i = 0; i < rest.length; i++) {
    if (rest.charCodeAt(i) !== 47 /* / */) continue;
    if (n === SLASHES.length) return undefined; // more segments than either shape has
    SLASHES[n++] = i;
  }
  // Segment k lies between slash k-1 and slash k (the last one runs to the end).
  const partial = n > 4 && SLASHES[4] - SLASHES[3] === 14 && rest.startsWith('partialCancel', SLASHES[3] + 1);
  const slugIndex = partial ? 7 : 5;
  if (n !== slugIndex + 1) return undefined;
  const slugEnd = SLASHES[slugIndex];
  if (rest.lastIndexOf(HANDLE_SEP, slugEnd) > SLASHES[slugIndex - 1]) return undefined;
  const idIndex = partial ? 5 : 4;
  return {
    url: `${ctx.publicUrl}${rest.slice(0, slugEnd)}${HANDLE_SEP}${ctx.handle}${rest.slice(slugEnd)}`,
    queryId: rest.slice(SLASHES[idIndex - 1] + 1, SLASHES[idIndex]),
  };
}
