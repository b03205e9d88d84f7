/**
 * The emulator's settings. Each default is Trino 476's default; each departure from it is a named knob
 * carrying the Trino property it stands for and the class that reads it, turned on only by a test about
 * that setting.
 */

import type { OAuth2Options } from './oauth2.js';

/** airlift HttpServerConfig.ProcessForwardedMode (`true` reads as ACCEPT, `false` as REJECT, as airlift reads them). */
export type ProcessForwarded = 'ACCEPT' | 'REJECT' | 'IGNORE';

/** SpoolingConfig `protocol.spooling.retrieval-mode`. */
export type RetrievalMode = 'STORAGE' | 'COORDINATOR_STORAGE_REDIRECT' | 'COORDINATOR_PROXY' | 'WORKER_PROXY';

export interface SpoolingOptions {
  /** protocol.spooling.retrieval-mode. Default STORAGE (direct object-storage URIs). */
  retrievalMode?: RetrievalMode;
  /**
   * protocol.spooling.inlining.enabled / inlining.max-rows: pages of at most this many rows come as
   * `inline` segments. Default 0 here (every page spooled, so tests see spooled segments); Trino's is 1000.
   */
  inlineMaxRows?: number;
}

export interface EmulatorOptions {
  name?: string;
  port?: number;
  host?: string;
  /**
   * http-server.process-forwarded (airlift HttpServerConfig; RejectForwardedRequestCustomizer, Jetty's
   * ForwardedRequestCustomizer, IgnoreForwardedRequestCustomizer). Default REJECT since Trino 451: any
   * X-Forwarded-* header is answered 406. ACCEPT builds URLs (and `secure`) from X-Forwarded-Proto/Host/
   * Port/Prefix; IGNORE drops them.
   */
  processForwarded?: ProcessForwarded | boolean;
  /**
   * http-server.authentication.type (SecurityConfig; AuthenticationFilter). Default insecure
   * (InsecureAuthenticator: a user name, never a password). `password` checks `passwords` on secure
   * requests (PasswordAuthenticator); plain-HTTP requests get the insecure authenticator.
   */
  authentication?: 'insecure' | 'password' | 'oauth2';
  /**
   * For `authentication: oauth2` (OAuth2Authenticator, OAuth2TokenExchangeResource): the Bearer tokens
   * the cluster accepts; a request without one gets the external-authentication challenge
   * (`x_redirect_server`, `x_token_server`), and GET of the token server URL hands out the first token,
   * as if the user had completed the browser flow.
   */
  oauth2Tokens?: string[];
  /**
   * For `authentication: oauth2`: http-server.authentication.oauth2.issuer/client-id/client-secret, a real
   * OpenID provider (oauth2.ts: the browser flow, the token exchange, tokens checked at the provider).
   * Without it, the fixed `oauth2Tokens` stand in for a completed flow.
   */
  oauth2?: OAuth2Options;
  /** The password file of `authentication: password`. Default none. */
  passwords?: Record<string, string>;
  /**
   * http-server.authentication.allow-insecure-over-http (SecurityConfig). Default true: plain-HTTP
   * requests use the insecure authenticator; false refuses them with 403.
   */
  allowInsecureOverHttp?: boolean;
  /**
   * protocol.v1.alternate-header-name (ProtocolConfig; ProtocolHeaders.detectProtocol). Default none:
   * X-Presto-* headers mean nothing. 'Presto' makes them a second family, answered in kind.
   */
  alternateHeaderName?: string;
  /**
   * The cluster sits behind its own load balancer that sets X-Forwarded-* (with process-forwarded ACCEPT
   * on the cluster): every URL it builds starts with this origin instead of the request's. Default none.
   */
  frontedBy?: string;
  /** http-server.https.enabled with this PEM pair: the coordinator speaks TLS. Default plain HTTP. */
  tls?: { cert: string; key: string };
  /**
   * web-ui.authentication.type (WebUiAuthenticationConfig). Default form (FormWebUiAuthenticationFilter:
   * /ui/api/* needs the Trino-UI-Token cookie of POST /ui/login); fixed serves the UI to anyone; oauth2
   * (OAuth2WebUiAuthenticationFilter, with `oauth2`) sends the browser to the provider.
   */
  webUiAuthentication?: 'form' | 'fixed' | 'oauth2';
  /** The spooling protocol with a spooling manager configured (Trino 466+). Default none: direct protocol only. */
  spooling?: SpoolingOptions;
  /**
   * http-server.max-request-header-size (airlift HttpServerConfig, Jetty's requestHeaderSize), in bytes.
   * Default 2 MiB: Trino's CoordinatorModule raises airlift's 8 KiB so prepared statements fit in headers.
   * A larger header block is answered 431 with Jetty's error page.
   */
  maxRequestHeaderSize?: number;
  queuedPages?: number;
  executingPages?: number;
  rowsPerPage?: number;
  catalogStore?: 'memory' | 'file' | 'static';
  connectors?: string[];
  staticCatalogs?: string[];
  version?: string;
  /**
   * The catalog REST endpoints of some Trino forks: POST /v1/catalog/add with JSON
   * {catalogName, connectorName, properties} and DELETE /v1/catalog/delete?catalogName=NAME (404 without).
   */
  catalogRest?: boolean;
}

export interface Settings {
  processForwarded: ProcessForwarded;
  authentication: 'insecure' | 'password' | 'oauth2';
  oauth2Tokens: string[];
  oauth2: OAuth2Options | undefined;
  passwords: Record<string, string>;
  allowInsecureOverHttp: boolean;
  alternateHeaderName: string | undefined;
  tls: { cert: string; key: string } | undefined;
  frontedBy: string | undefined;
  webUiAuthentication: 'form' | 'fixed' | 'oauth2';
  spooling: Required<SpoolingOptions> | undefined;
  maxRequestHeaderSize: number;
  queuedPages: number;
  executingPages: number;
  rowsPerPage: number;
  catalogStore: 'memory' | 'file' | 'static';
  connectors: string[];
  staticCatalogs: string[];
  version: string;
  catalogRest: boolean;
}

export function settings(o: EmulatorOptions): Settings {
  const pf = o.processForwarded;
  return {
    processForwarded: pf === true ? 'ACCEPT' : pf === false || pf === undefined ? 'REJECT' : pf,
    authentication: o.authentication ?? 'insecure',
    oauth2Tokens: o.oauth2Tokens ?? [],
    oauth2: o.oauth2,
    passwords: o.passwords ?? {},
    allowInsecureOverHttp: o.allowInsecureOverHttp ?? true,
    alternateHeaderName: o.alternateHeaderName?.toLowerCase(),
    tls: o.tls,
    frontedBy: o.frontedBy?.replace(/\/+$/, ''),
    webUiAuthentication: o.webUiAuthentication ?? 'form',
    spooling: o.spooling
      ? { retrievalMode: o.spooling.retrievalMode ?? 'STORAGE', inlineMaxRows: o.spooling.inlineMaxRows ?? 0 }
      : undefined,
    maxRequestHeaderSize: o.maxRequestHeaderSize ?? 2 * 1024 * 1024,
    queuedPages: o.queuedPages ?? 1,
    executingPages: o.executingPages ?? 1,
    rowsPerPage: o.rowsPerPage ?? 1000,
    catalogStore: o.catalogStore ?? 'memory',
    connectors: o.connectors ?? [
      'memory',
      'tpch',
      'tpcds',
      'blackhole',
      'postgresql',
      'mysql',
      'hive',
      'iceberg',
    ],
    staticCatalogs: o.staticCatalogs ?? ['system', 'tpch'],
    version: o.version ?? '476',
    catalogRest: o.catalogRest ?? false,
  };
}
