import { scrubEmbeddedSecrets } from './embedded-secrets.js';
import type { Backend } from '../backends/backend.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { CatalogStore } from '../store/ports.js';
import type { CatalogSpec, Deployment, DeploymentState } from './catalog-repo.js';
import { restDriver, sqlDriver, type ApplyOutcome, type CatalogDriver } from './drivers.js';
import type { StatementOutcome } from './statement-client.js';

/** What happened on one backend during a change. */
export interface BackendOutcome {
  backend: string;
  state: DeploymentState | 'dropped';
  error?: string;
}

/** A catalog statement the gateway ran on a backend, as Trino saw it. */
export interface CatalogQuery {
  queryId: string;
  user: string;
  group: string;
  backend: string;
  sql: string;
  startedAt: number;
  outcome: StatementOutcome;
}

export interface CatalogApplierDeps {
  repo: CatalogStore;
  registry: BackendRegistry;
  isSecret: (key: string) => boolean;
  timeoutMs: number;
  logger: Logger;
  metrics: Metrics;
  /** Tests may substitute drivers; by default each backend's catalogDriver picks sql or rest. */
  driverFor?: (b: Backend, user: string) => CatalogDriver;
  /** Each CREATE/DROP CATALOG that became a Trino query, for query history (the SQL still holds secrets). */
  onQuery?: (q: CatalogQuery) => void;
}

/**
 * CatalogApplier does catalog work on one backend and records its deployment row: create (dropping the old
 * definition first when asked), drop, or defer to reconcile. All work on one backend runs one task at a
 * time (the per-key queue here), so an API change and a reconcile never interleave on a cluster. A backend
 * removed or moved while its statement ran never gets its row back.
 */
export class CatalogApplier {
  private readonly chains = new Map<string, Promise<unknown>>();
  /**
   * Catalogs (`group/name`) an API change is applying now. Its spec is stored before its statements are
   * queued on the backends, so a reconcile queued in between leaves these to the change.
   */
  readonly changing = new Set<string>();

  constructor(private readonly d: CatalogApplierDeps) {}

  /** createOn applies a spec on one backend (dropping the old definition first when asked) and records the outcome. */
  async createOn(
    b: Backend,
    spec: CatalogSpec,
    props: Record<string, string>,
    user: string,
    dropFirst: boolean,
  ): Promise<BackendOutcome> {
    const driver = this.driver(b, user, props);
    let r: ApplyOutcome = dropFirst ? await driver.drop(spec.name) : { ok: true };
    if (r.ok) r = await driver.create(spec.name, spec.connector, props);
    const state: DeploymentState = r.ok ? 'applied' : r.transport ? 'pending' : 'failed';
    const error = r.ok ? null : this.scrub(r.message, props);
    await this.record(b, spec, state, error);
    this.d.metrics.catalogOps.inc({ operation: dropFirst ? 'replace' : 'create', outcome: state });
    return { backend: b.name, state, ...(error ? { error } : {}) };
  }

  /**
   * ensureOn is the API's create: a reconcile that ran on this backend between the change being stored and
   * this task (work on one backend is serial, so the row read here is current) may already have applied
   * this very version; a second CREATE would then fail with "already exists" and mark a holder as failed.
   */
  async ensureOn(
    b: Backend,
    spec: CatalogSpec,
    props: Record<string, string>,
    user: string,
    dropFirst: boolean,
  ): Promise<BackendOutcome> {
    const row = await this.deployment(spec.group, spec.name, b.name);
    if (row?.state === 'applied' && row.specVersion === spec.version)
      return { backend: b.name, state: 'applied' };
    return this.createOn(b, spec, props, user, dropFirst);
  }

  /** deployment reads one backend's row of one catalog. */
  async deployment(group: string, catalog: string, backend: string): Promise<Deployment | undefined> {
    return (await this.d.repo.deployments(group, catalog)).find((x) => x.backend === backend);
  }

  async dropOn(b: Backend, spec: CatalogSpec, user: string): Promise<BackendOutcome> {
    const r = await this.driver(b, user).drop(spec.name);
    this.d.metrics.catalogOps.inc({ operation: 'drop', outcome: r.ok ? 'dropped' : 'failed' });
    if (r.ok) {
      await this.d.repo.deleteDeployment(spec.group, spec.name, b.name);
      return { backend: b.name, state: 'dropped' };
    }
    await this.record(b, spec, 'dropping', r.message);
    return { backend: b.name, state: 'dropping', error: r.message };
  }

  /** deferred records that a backend that cannot take the change now will get it on reconcile. */
  async deferred(b: Backend, spec: CatalogSpec, state: 'pending' | 'dropping'): Promise<BackendOutcome> {
    const error = !b.active
      ? 'backend is deactivated; applied when activated'
      : `backend is ${b.health}; applied when healthy`;
    await this.record(b, spec, state, error);
    return { backend: b.name, state, error };
  }

  async record(b: Backend, spec: CatalogSpec, state: DeploymentState, error: string | null): Promise<void> {
    // A backend removed or moved while its statement ran must not get its row back.
    if (!this.current(b) || b.group !== spec.group) return;
    await this.d.repo.setDeployment({
      group: spec.group,
      catalog: spec.name,
      backend: b.name,
      state,
      specVersion: spec.version,
      error,
    });
  }

  /** scrub removes secret values from a backend's error text before it is stored or shown. */
  scrub(message: string, props: Record<string, string>): string {
    let m = message;
    const secrets: string[] = [];
    for (const [k, v] of Object.entries(props))
      if (this.d.isSecret(k)) secrets.push(v);
      else scrubEmbeddedSecrets(v, this.d.isSecret, secrets);
    for (const v of secrets) {
      if (v === '') continue;
      // As sent (SQL literal, JSON string) and as a backend may echo it back.
      for (const form of [v, v.replace(/'/g, "''"), JSON.stringify(v).slice(1, -1)])
        m = m.split(form).join('***');
    }
    return scrubEmbeddedSecrets(m, this.d.isSecret);
  }

  /** driver talks to one backend; `props` (plain) lets errors reported to history be scrubbed of secrets. */
  driver(b: Backend, user: string, props: Record<string, string> = {}): CatalogDriver {
    if (this.d.driverFor) return this.d.driverFor(b, user);
    const onQuery = this.d.onQuery;
    const opts = {
      client: b.client,
      user,
      timeoutMs: this.d.timeoutMs,
      onQuery:
        onQuery &&
        ((q: Omit<CatalogQuery, 'user' | 'group' | 'backend'>) =>
          onQuery({
            ...q,
            outcome: q.outcome.ok
              ? q.outcome
              : { ...q.outcome, message: this.scrub(q.outcome.message, props) },
            user,
            group: b.group,
            backend: b.name,
          })),
    };
    return b.catalogDriver === 'rest' ? restDriver(opts) : sqlDriver(opts);
  }

  current(b: Backend): boolean {
    return this.d.registry.get(b.name) === b;
  }

  /** onBackend runs fn after every earlier task of the same backend (a per-backend queue). */
  onBackend<T>(backend: string, fn: () => Promise<T>): Promise<T> {
    return this.serially(`backend ${backend}`, fn);
  }

  /** serially runs fn after every earlier task queued under the same key. */
  serially<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => this.chains.get(key) === settled && this.chains.delete(key));
    return next;
  }

  /** idle resolves once every queued task has finished. */
  async idle(): Promise<void> {
    await Promise.all(this.chains.values());
  }
}
