import { HANDLE_SEP } from '../trino/paths.js';

/**
 * URL rewriting maps a URL a backend put in a statement response (nextUri, infoUri, partialCancelUri,
 * spooled segment uri/ackUri) to the gateway's public URL, embedding the owner's handle where a
 * follow-up will need it. URLs of other origins (e.g. direct object-storage segment URLs) are left alone.
 *
 * The scanner works on the response's bytes, so the rewrite does too: the result is a list of slices of
 * the original body and of the context's prepared buffers, with no string decoded, built or re-encoded
 * (this runs for every URL of every poll). URLs are treated as latin1 bytes, so any byte passes unchanged.
 */
export interface UrlRewriteContext {
  /** Origins the backend may have used: its own, and the one it derived from our X-Forwarded-* headers. */
  readonly origins: readonly string[];
  /** Public base URL of the gateway, without a trailing slash. */
  readonly publicUrl: string;
  /** The owner's signed handle. */
  readonly handle: string;
  readonly originBytes: readonly Buffer[];
  readonly publicBytes: Buffer;
  /** HANDLE_SEP followed by the handle: what goes after a slug. */
  readonly handleBytes: Buffer;
}

export function makeRewriteContext(
  origins: readonly string[],
  publicUrl: string,
  handle: string,
): UrlRewriteContext {
  return {
    origins,
    publicUrl,
    handle,
    originBytes: origins.map((o) => Buffer.from(o, 'latin1')),
    publicBytes: Buffer.from(publicUrl, 'latin1'),
    handleBytes: Buffer.from(HANDLE_SEP + handle, 'latin1'),
  };
}

const SLASH = 0x2f;
const TILDE = HANDLE_SEP.charCodeAt(0);
const QMARK = 0x3f;
const STATEMENT = Buffer.from('/v1/statement/');
const SPOOLED = Buffer.from('/v1/spooled/');
const PARTIAL = Buffer.from('partialCancel');

/**
 * matchOrigin returns where the path of the URL in buf[start, end) begins when the URL has one of the
 * backend's origins, or -1 when it is not the backend's (and must be left alone).
 */
export function matchOrigin(buf: Buffer, start: number, end: number, ctx: UrlRewriteContext): number {
  for (const o of ctx.originBytes) {
    const rest = start + o.length;
    if (rest < end && buf[rest] === SLASH && startsWithAt(buf, start, o)) return rest;
  }
  return -1;
}

/**
 * rewritePath appends to `out` the public form of the backend URL whose path is buf[rest, end) (rest as
 * found by matchOrigin). Returns the query id when the URL is a statement follow-up, '' otherwise.
 */
export function rewritePath(
  buf: Buffer,
  rest: number,
  end: number,
  ctx: UrlRewriteContext,
  out: Buffer[],
): string {
  if (startsWithAt(buf, rest, STATEMENT)) {
    const id = statementFollowUp(buf, rest, end, ctx, out);
    if (id !== undefined) return id;
  } else if (startsWithAt(buf, rest, SPOOLED)) {
    const q = indexIn(buf, QMARK, rest, end);
    if (indexIn(buf, TILDE, rest, q) === q) {
      out.push(ctx.publicBytes, buf.subarray(rest, q), ctx.handleBytes, buf.subarray(q, end));
      return '';
    }
  }
  out.push(ctx.publicBytes, buf.subarray(rest, end));
  return '';
}

/** Slash positions of the path being looked at (reused: the scan is synchronous and never nests). */
const SLASHES = new Int32Array(10);

/**
 * statementFollowUp rewrites /v1/statement/{queued|executing}/{queryId}/{slug}/{token} and
 * /v1/statement/executing/partialCancel/{queryId}/{stage}/{slug}/{token} (path segments counted from
 * the leading slash: slug is segment 5, or 7 for partialCancel, and the token the last one), putting
 * the handle after the slug unless it already carries one. Returns undefined (nothing appended) for
 * any other shape.
 */
function statementFollowUp(
  buf: Buffer,
  rest: number,
  end: number,
  ctx: UrlRewriteContext,
  out: Buffer[],
): string | undefined {
  let n = 0;
  for (let i = rest; i < end; i++) {
    if (buf[i] !== SLASH) continue;
    if (n === SLASHES.length) return undefined; // more segments than either shape has
    SLASHES[n++] = i;
  }
  // Segment k lies between slash k-1 and slash k (the last one runs to the end).
  const partial =
    n > 4 && SLASHES[4] - SLASHES[3] === PARTIAL.length + 1 && startsWithAt(buf, SLASHES[3] + 1, PARTIAL);
  const slugIndex = partial ? 7 : 5;
  if (n !== slugIndex + 1) return undefined;
  const slugEnd = SLASHES[slugIndex];
  if (indexIn(buf, TILDE, SLASHES[slugIndex - 1], slugEnd) < slugEnd) return undefined;
  const idIndex = partial ? 5 : 4;
  out.push(ctx.publicBytes, buf.subarray(rest, slugEnd), ctx.handleBytes, buf.subarray(slugEnd, end));
  return buf.toString('latin1', SLASHES[idIndex - 1] + 1, SLASHES[idIndex]);
}

/** startsWithAt tells whether buf holds `prefix` at `at` (a byte loop: cheaper than a native call for short prefixes). */
function startsWithAt(buf: Buffer, at: number, prefix: Buffer): boolean {
  if (at + prefix.length > buf.length) return false;
  for (let k = 0; k < prefix.length; k++) if (buf[at + k] !== prefix[k]) return false;
  return true;
}

/** indexIn returns the first index of `byte` in buf[from, to), or `to` (bounded: never scans past the URL). */
function indexIn(buf: Buffer, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === byte) return i;
  return to;
}
