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
    const parts = rest.split('/');
    const partial = parts[4] === 'partialCancel';
    const slugIndex = partial ? 7 : 5;
    if (parts.length === slugIndex + 2 && !parts[slugIndex].includes(HANDLE_SEP)) {
      parts[slugIndex] = `${parts[slugIndex]}${HANDLE_SEP}${ctx.handle}`;
      return { url: ctx.publicUrl + parts.join('/'), queryId: parts[partial ? 5 : 4] };
    }
  } else if (rest.startsWith('/v1/spooled/')) {
    const q = rest.indexOf('?');
    const path = q < 0 ? rest : rest.slice(0, q);
    const search = q < 0 ? '' : rest.slice(q);
    if (!path.includes(HANDLE_SEP))
      return { url: `${ctx.publicUrl}${path}${HANDLE_SEP}${ctx.handle}${search}` };
  }
  return { url: ctx.publicUrl + rest };
}
