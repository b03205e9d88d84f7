import type { Backend } from '../backends/backend.js';
import type { HandleCodec } from './handle-codec.js';
import { makeRewriteContext, type UrlRewriteContext } from './url-rewrite.js';

/** Client-facing origins remembered per backend; the Host a client sends is its choice, so this stays bounded. */
const MAX_ORIGINS = 256;

/**
 * RewriteContexts builds each backend's URL-rewrite context once per client-facing origin (a bounded few),
 * not per request: the rewrite runs on every poll.
 */
export class RewriteContexts {
  private readonly contexts = new WeakMap<Backend, Map<string, UrlRewriteContext>>();

  constructor(
    private readonly publicUrl: string,
    private readonly codec: HandleCodec,
  ) {}

  /** of returns the context for URLs `b` built while it saw the client at `fwdOrigin`. */
  of(b: Backend, fwdOrigin: string): UrlRewriteContext {
    let byOrigin = this.contexts.get(b);
    if (!byOrigin) this.contexts.set(b, (byOrigin = new Map()));
    let ctx = byOrigin.get(fwdOrigin);
    if (!ctx) {
      // Its own origin, what it derived from our X-Forwarded-*, origins it advertises (its own load
      // balancer), and ours (a cluster that builds our URLs still needs the handle put in).
      const origins = [...new Set([b.origin, fwdOrigin, ...b.advertisedOrigins, this.publicUrl])];
      ctx = makeRewriteContext(origins, this.publicUrl, this.codec.encode(b.name));
      if (byOrigin.size >= MAX_ORIGINS) byOrigin.clear();
      byOrigin.set(fwdOrigin, ctx);
    }
    return ctx;
  }
}
