import type { PasswordCheck } from '../auth/password-login.js';
import type { RevocationStore } from './session.js';
import type { BackendPicker } from '../backends/picker.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { LoadSamples } from './load-samples.js';
import type { DatabaseRules } from '../routing/database-rules.js';
import type { RuleEngine } from '../routing/rule-engine.js';
import type { HistoryStatsStore, HistoryStore } from '../store/ports.js';

/** A user of the directory, as the console needs it (the same users and roles as the API). */
export interface ConsoleUser {
  name: string;
  passwordHash: string;
  groups: readonly string[];
  roles: readonly string[];
  defaultGroup?: string;
}

/** The state of one catalog spec on one backend. */
export interface CatalogDeploymentView {
  backend: string;
  state: string;
  error?: string | null;
}

/** One catalog spec of one routing group, secrets already masked. */
export interface CatalogView {
  group: string;
  name: string;
  connector: string;
  properties: Readonly<Record<string, string>>;
  deployments: readonly CatalogDeploymentView[];
}

export interface CatalogSpecInput {
  group: string;
  name: string;
  connector: string;
  properties: Record<string, string>;
}

/**
 * The catalog service as the console uses it. create/delete reject with an error carrying a 4xx `status`
 * for a request the service refuses (bad name, unknown group, duplicate); the message is shown.
 */
export interface ConsoleCatalogs {
  list(): readonly CatalogView[] | Promise<readonly CatalogView[]>;
  create(spec: CatalogSpecInput): Promise<{ deployments?: readonly CatalogDeploymentView[] } | unknown>;
  delete(group: string, name: string): Promise<unknown>;
}

/** Everything the console needs, wired by the gateway. Optional parts hide their pages. */
export interface ConsoleDeps {
  registry: BackendRegistry;
  /** Picks the backend a dry run would use. */
  picker: BackendPicker;
  history: Pick<HistoryStore, 'get' | 'list' | 'countsPerMinute'>;
  /** Queued and running per cluster sampled over the last hour; the live chart is hidden without it. */
  loadSamples?: LoadSamples;
  /** The dashboard's aggregates over the history; the charts are hidden without it. */
  historyStats?: HistoryStatsStore;
  users: { get(name: string): ConsoleUser | undefined };
  /**
   * Password sign-in: the gateway's PasswordLogin, the one Basic authentication uses (one failed-login
   * limiter, one bound on hash work), so a failure at either place counts at both.
   */
  passwords: PasswordCheck;
  /** Signs session cookies and CSRF tokens; at least 16 characters, kept across restarts. */
  sessionSecret: string;
  /** Applied to every SQL text shown (catalog secrets must never reach a page). */
  redactSql: (sql: string) => string;
  /** The configured default routing group (for dry runs). */
  defaultGroup: string;
  /** Catalog broadcast; the Catalogs page is hidden without it. */
  catalogs?: ConsoleCatalogs;
  /** The routing rules in force (loaded at start); the Rules page is hidden without it. */
  rules?: () => RuleEngine | undefined;
  /**
   * OIDC sign-in next to passwords (auth.oidc): the sign-in link, and the admin behind an OIDC session
   * (undefined for a name that is a password user). Default: passwords only.
   */
  oidc?: { loginUrl: string; user(name: string): ConsoleUser | undefined };
  /** Routing rules edited in the console, versioned in the database; without it the rules are read-only. */
  databaseRules?: DatabaseRules;
  /** The gateway's OpenAPI document; the API reference page is hidden without it. */
  openApi?: () => Promise<object>;
  /** The gateway's own queue (groups[].queue); the Queue page is hidden without it. */
  queue?: import('./pages/queue.js').ConsoleQueue;
  /** Session lifetime in ms. Default 8 hours. */
  sessionTtlMs?: number;
  /**
   * Mark cookies Secure. Default: when the request came over https, directly or (X-Forwarded-Proto from a
   * trusted proxy) to a TLS-terminating proxy in front.
   */
  secureCookies?: boolean;
  /** Keeps logouts across restarts. Default: memory only. */
  revokedSessions?: RevocationStore;
  now?: () => number;
}
