import { resolveTrinoUser } from '../auth/impersonation.js';
import { ProtocolProxy, type ProtocolProxyDeps } from '../proxy/protocol-proxy.js';
import type { QueryRouter } from '../proxy/seams.js';
import { chooseGroup } from '../routing/group-choice.js';
import { buildRequestFacts } from '../routing/request-facts.js';
import { GatewayError } from '../trino/errors.js';
import { header } from '../trino/headers.js';
import type { Services } from './services.js';

/** Largest query text accepted (Trino's own query.max-length is 1,000,000 characters). */
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/** createProxy builds the Trino protocol proxy (the hot path) over the services it needs. */
export function createProxy(s: Services): ProtocolProxy {
  return new ProtocolProxy(proxyDeps(s));
}

/** proxyDeps is what the protocol proxy is built from, taken from the services (tests build its context). */
export function proxyDeps(s: Services): ProtocolProxyDeps {
  const cfg = s.config;
  return {
    publicUrl: cfg.server.publicUrl,
    defaultGroup: cfg.routing.defaultGroup,
    tls: !!cfg.server.tls,
    maxStatementBytes: MAX_STATEMENT_BYTES,
    registry: s.registry,
    picker: s.picker,
    affinity: s.affinity,
    codec: s.codec,
    tracker: s.tracker,
    queue: s.queue?.gate,
    forwarder: s.forwarder,
    authenticator: s.authenticator,
    router: queryRouter(s),
    resolveUser: resolveTrinoUser,
    webUi: {
      oidcUrl: s.oidc ? '/oidc/ui/login' : undefined,
      basic: s.config.auth.basic.enabled,
      tokens: !!(s.oidc || s.config.auth.jwt?.enabled),
    },
    metrics: s.metrics,
    logger: s.logger,
    onUpstreamFailure: (name, kind) => s.monitor?.reportFailure(name, kind),
    // Another worker may have taken the submission and not yet written its history row.
    ownerGraceMs: s.replica.worker ? 2000 : 0,
  };
}

/** queryRouter chooses the routing group of a new query: header, rules, the user's default, the configured default. */
export function queryRouter(s: Pick<Services, 'config' | 'rules' | 'registry'>): QueryRouter {
  return {
    route(input) {
      const choice = chooseGroup({
        facts: buildRequestFacts(input.headers, input.principal, input.sql),
        principal: input.principal,
        requestedGroup: header(input.headers, 'routingGroup'),
        engine: s.rules,
        defaultGroup: s.config.routing.defaultGroup,
        knownGroups: s.registry.groupNames(),
      });
      if (!choice.ok)
        return new GatewayError(
          choice.status,
          choice.status === 404 ? 'NOT_FOUND' : 'PERMISSION_DENIED',
          choice.message,
        );
      return {
        group: choice.group,
        rule: choice.rule,
        source: choice.source,
        queuePriority: choice.queuePriority,
      };
    },
  };
}
