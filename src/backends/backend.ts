import http from 'node:http';
import https from 'node:https';
import { BackendClient } from './backend-client.js';
import type { BackendRecord } from './backend-repo.js';
import { ConnectionPool } from './connection-pool.js';

/**
 * Which clusters receive clients' Authorization headers by default (auth.forwardAuthorization, resolved:
 * `auto` is `always` in auth mode none, else `never`): all, `https` ones only, or none.
 */
export type ForwardAuthorization = 'https' | 'always' | 'never';

/** Largest response header block read from a cluster: Trino's http-server.max-response-header-size. */
const MAX_RESPONSE_HEADER_BYTES = 2 * 1024 * 1024;

export type HealthState = 'UNKNOWN' | 'PENDING' | 'HEALTHY' | 'UNHEALTHY';

/** Load a backend reports (polled), beside the gateway's own in-flight count. */
export interface BackendStats {
  runningQueries: number;
  queuedQueries: number;
  blockedQueries: number;
  updatedAt: number;
}

/**
 * One Trino cluster as the gateway sees it now: its record, health, load, and its connections:
 * - `pool`, one pool of undici connections (connection-pool.ts) for every exchange whose answer the gateway
 *   reads: the statement exchanges it proxies (every poll: undici's client costs about a quarter less CPU
 *   per request than http.request, bench/README.md) and, through `client`, its own requests (health probes,
 *   stats, catalog SQL and REST calls);
 * - `agent`, a node:http keep-alive agent for what http-proxy-3 relays as it is (UI pages, spooled segments,
 *   /v1/info, /v1/query) and nothing else: http-proxy-3 sends through `http.request`, which takes only a
 *   node Agent. Its fetch mode would take undici, but it decodes compressed bodies, keeps one Set-Cookie of
 *   several and rebuilds the response from a Headers object, which a faithful relay cannot accept.
 * Mutable by the registry and the health monitor only.
 */
export class Backend {
  readonly name: string;
  readonly url: string;
  readonly target: URL;
  /** scheme://host:port of url, as it appears at the start of URLs the backend builds. */
  readonly origin: string;
  readonly externalUrl?: string;
  readonly group: string;
  active: boolean;
  readonly weight: number;
  readonly catalogDriver: 'sql' | 'rest';
  health: HealthState = 'UNKNOWN';
  /** Why the last probe failed, for the API. */
  healthDetail?: string;
  stats?: BackendStats;
  /** Queries routed here by this gateway that have not finished. */
  inFlight = 0;
  /** Submissions sent here whose first answer has not arrived yet. */
  submitting = 0;
  /** For http-proxy-3's relays only (see above). */
  readonly agent: http.Agent;
  readonly pool: ConnectionPool;
  /** The gateway's own requests to this cluster, on `pool`. */
  readonly client: BackendClient;
  /** Whether clients' Authorization headers are passed on to this cluster (its forwardAuthorization, else auth's). */
  readonly forwardsAuthorization: boolean;
  /** Whether the cluster processes X-Forwarded-* (else it receives none: a default Trino answers them 406). */
  readonly processForwarded: boolean;
  /** Origins of advertisedUrls: other origins the cluster builds its URLs with. */
  readonly advertisedOrigins: readonly string[];
  private readonly rec: BackendRecord;

  constructor(rec: BackendRecord, maxSockets: number, forwardAuthorization: ForwardAuthorization = 'always') {
    this.name = rec.name;
    this.url = rec.url.replace(/\/+$/, '');
    this.target = new URL(this.url);
    this.origin = this.target.origin;
    this.externalUrl = rec.externalUrl;
    this.group = rec.group;
    this.active = rec.active;
    this.weight = rec.weight;
    this.catalogDriver = rec.catalogDriver;
    this.rec = rec;
    const forward = rec.forwardAuthorization ?? forwardAuthorization;
    this.forwardsAuthorization =
      forward === 'always' || (forward === 'https' && this.target.protocol === 'https:');
    this.processForwarded = rec.processForwarded ?? false;
    this.advertisedOrigins = (rec.advertisedUrls ?? [])
      .map((u) => new URL(u).origin)
      .filter((o) => o !== this.origin);
    const opts = {
      keepAlive: true,
      maxSockets,
      maxFreeSockets: Math.min(maxSockets, 64),
      scheduling: 'lifo' as const,
    };
    this.agent = this.target.protocol === 'https:' ? new https.Agent(opts) : new http.Agent(opts);
    // Trino answers with headers up to 2 MiB (http-server.max-response-header-size, raised by its
    // CoordinatorModule): X-Trino-Added-Prepare carries a whole prepared statement.
    this.pool = new ConnectionPool(this.origin, maxSockets, { maxHeaderSize: MAX_RESPONSE_HEADER_BYTES });
    this.client = new BackendClient(this.pool, this.origin);
  }

  /** release closes this backend's connections (it was removed, replaced, or the gateway stops). */
  release(): void {
    this.agent.destroy();
    this.pool.destroy().catch(() => undefined);
  }

  record(): BackendRecord {
    return {
      name: this.name,
      url: this.url,
      externalUrl: this.externalUrl,
      group: this.group,
      active: this.active,
      weight: this.weight,
      catalogDriver: this.catalogDriver,
      processForwarded: this.processForwarded,
      forwardAuthorization: this.rec.forwardAuthorization,
      advertisedUrls: this.rec.advertisedUrls ?? [],
    };
  }
}

/** isAvailable is the one availability rule: a backend takes new queries only when active and HEALTHY. */
export const isAvailable = (b: Backend): boolean => b.active && b.health === 'HEALTHY';
