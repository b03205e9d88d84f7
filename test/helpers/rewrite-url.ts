import { matchOrigin, rewritePath, type UrlRewriteContext } from '../../src/proxy/url-rewrite.js';

/**
 * rewriteUrl is the string form of the scanner's byte-level rewrite (matchOrigin + rewritePath), for
 * tests that state a URL and the URL it must become: undefined when the URL is not the backend's.
 */
export function rewriteUrl(
  url: string,
  ctx: UrlRewriteContext,
): { url: string; queryId?: string } | undefined {
  const buf = Buffer.from(url, 'latin1');
  const rest = matchOrigin(buf, 0, buf.length, ctx);
  if (rest < 0) return undefined;
  const out: Buffer[] = [];
  const queryId = rewritePath(buf, rest, buf.length, ctx, out);
  const rewritten = Buffer.concat(out).toString('latin1');
  return queryId ? { url: rewritten, queryId } : { url: rewritten };
}
