import type { BackendPicker } from '../backends/picker.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { QueueGate } from '../queue/queue-gate.js';
import type { Affinity } from './affinity.js';
import type { Forwarder } from './forward.js';
import type { HandleCodec } from './handle-codec.js';
import type { QueryTracker } from './query-tracker.js';
import { FailedQueries } from './failed-queries.js';
import { RewriteContexts } from './rewrite-contexts.js';
import type { ProxyAuthenticator, QueryRouter, UserResolver } from './seams.js';
import type { UpstreamFailureKind } from './upstream-error.js';

/** What the protocol proxy is built from (src/gateway.ts wires it). */
export interface ProtocolProxyDeps {
  publicUrl: string;
  defaultGroup: string;
  tls: boolean;
  maxStatementBytes: number;
  registry: BackendRegistry;
  picker: BackendPicker;
  affinity: Affinity;
  codec: HandleCodec;
  tracker: QueryTracker;
  forwarder: Forwarder;
  authenticator: ProxyAuthenticator;
  router: QueryRouter;
  resolveUser: UserResolver;
  metrics: Metrics;
  logger: Logger;
  /** How browsers sign in to the web UI at the gateway (src/proxy/ui-sign-in.ts); default: Basic only. */
  webUi?: { oidcUrl?: string; basic: boolean; tokens: boolean };
  /** The gateway's own queue (src/queue), for groups that have one. Default: none. */
  queue?: QueueGate;
  /** Passive health: a transport failure talking to a backend. */
  onUpstreamFailure?: (backend: string, kind: UpstreamFailureKind) => void;
  /**
   * How long a follow-up of a query this process does not know waits for the query's history row before
   * it is a 404 (server.workers: the worker that took the submission writes the row just after answering).
   * Default 0: alone, a query memory does not know was never submitted here.
   */
  ownerGraceMs?: number;
}

/**
 * ProxyContext is the deps plus what is derived from them once, at construction: the public URL's path
 * (sent as X-Forwarded-Prefix behind a path-routing proxy) and the per-backend URL-rewrite contexts. It is
 * a record the proxy's functions read, not an object they call back into.
 */
export interface ProxyContext extends Readonly<ProtocolProxyDeps> {
  readonly prefix: string;
  readonly rewrites: RewriteContexts;
  /** Statements the gateway failed itself, whose failed page waits for the client's poll. */
  readonly failed: FailedQueries;
  /** Per-request log lines are written at debug level only (decided once: the level is fixed at start). */
  readonly debug: boolean;
}

export function proxyContext(d: ProtocolProxyDeps): ProxyContext {
  return {
    ...d,
    prefix: new URL(d.publicUrl).pathname.replace(/\/+$/, ''),
    rewrites: new RewriteContexts(d.publicUrl, d.codec),
    failed: new FailedQueries(d.publicUrl, d.codec),
    debug: d.logger.isLevelEnabled('debug'),
  };
}
