import { isAvailable, type Backend } from '../backends/backend.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { CatalogRepo, CatalogSpec, Deployment, DeploymentState } from './catalog-repo.js';
import { restDriver, sqlDriver, type ApplyOutcome, type CatalogDriver } from './drivers.js';
import type { StatementOutcome } from './statement-client.js';
import { maskProperties, type SecretSealer } from './secrets.js';

/** A refusal of the catalog API; the routes answer it as JSON with this status. */
export class CatalogError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'CatalogError';
  }
}

/** What happened on one backend during a change. */
export interface BackendOutcome {
  backend: string;
  state: DeploymentState | 'dropped';
  error?: string;
}

/** The answer of a change: the catalog afterwards and each backend's outcome. */
export interface ChangeResult {
  catalog: CatalogView;
  outcomes: BackendOutcome[];
  /** all: every backend of the group reached the desired state; partial: some; none: none did (stored, to be reconciled). */
  applied: 'all' | 'partial' | 'none';
}

export interface CatalogView {
  group: string;
  name: string;
  connector: string;
  /** Secret values masked (`***`). */
  properties: Record<string, string>;
  version: number;
  /** present, or dropping (deleted; some backend has not dropped it yet). */
  status: 'present' | 'dropping';
  createdAt: number;
  updatedAt: number;
  deployments: Array<{
    backend: string;
    state: DeploymentState;
    specVersion: number | null;
    error: string | null;
  }>;
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

export interface CatalogServiceDeps {
  repo: CatalogRepo;
  registry: BackendRegistry;
  sealer: SecretSealer;
  isSecret: (key: string) => boolean;
  timeoutMs: number;
  /** Trino user for reconcile statements. */
  reconcileUser: string;
  logger: Logger;
  metrics: Metrics;
  /** Tests may substitute drivers; by default each backend's catalogDriver picks sql or rest. */
  driverFor?: (b: Backend, user: string) => CatalogDriver;
  /** Each CREATE/DROP CATALOG that became a Trino query, for query history (the SQL still holds secrets). */
  onQuery?: (q: CatalogQuery) => void;
}

/**
 * Catalog broadcast as desired state. A change is committed to SQLite first (spec plus one deployment row
 * per backend of the group), then sent to every available backend of the group concurrently, each with its
 * own timeout; backends that are down, deactivated or unreachable stay pending and are reconciled when they
 * turn healthy, are activated, join the group, and every reconcile interval. All work on one backend runs
 * one at a time, so a reconcile never interleaves with a change on the same cluster.
 */
export class CatalogService {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly queued = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly d: CatalogServiceDeps) {}

  /** list returns the catalogs of one group, or of every group. */
  list(group?: string): CatalogView[] {
    if (group !== undefined) this.requireGroup(group);
    const deps = this.d.repo.deployments(group);
    return this.d.repo.specs(group).map((s) => this.view(s, deps));
  }

  get(group: string, name: string): CatalogView {
    const s = this.d.repo.spec(group, name);
    if (!s) throw new CatalogError(404, `catalog "${name}" not found in group "${group}"`);
    return this.view(s, this.d.repo.deployments(group, name));
  }

  async create(
    group: string,
    name: string,
    connector: string,
    props: Record<string, string>,
    user: string,
  ): Promise<ChangeResult> {
    this.requireGroup(group);
    return this.serially(`catalog ${group}/${name}`, async () => {
      const old = this.d.repo.spec(group, name);
      if (old?.desired === 'present')
        throw new CatalogError(
          409,
          `catalog "${name}" already exists in group "${group}"; replace it with PUT`,
        );
      return this.change(group, name, connector, props, user, false);
    });
  }

  async replace(
    group: string,
    name: string,
    connector: string | undefined,
    props: Record<string, string>,
    user: string,
  ): Promise<ChangeResult> {
    this.requireGroup(group);
    return this.serially(`catalog ${group}/${name}`, async () => {
      const old = this.d.repo.spec(group, name);
      if (!old || old.desired !== 'present')
        throw new CatalogError(404, `catalog "${name}" not found in group "${group}"`);
      return this.change(group, name, connector ?? old.connector, props, user, true);
    });
  }

  async delete(group: string, name: string, user: string): Promise<ChangeResult> {
    this.requireGroup(group);
    return this.serially(`catalog ${group}/${name}`, () => this.deleteNow(group, name, user));
  }

  private async deleteNow(group: string, name: string, user: string): Promise<ChangeResult> {
    const old = this.d.repo.spec(group, name);
    if (!old || old.desired !== 'present')
      throw new CatalogError(404, `catalog "${name}" not found in group "${group}"`);
    // A backend whose create failed never had the catalog: forget its row; every other may hold it.
    const rows = this.d.repo.deployments(group, name);
    for (const x of rows) if (x.state === 'failed') this.d.repo.deleteDeployment(group, name, x.backend);
    const holders = new Set(rows.filter((x) => x.state !== 'failed').map((x) => x.backend));
    const spec = this.d.repo.saveSpec({ ...old, desired: 'absent' }, [...holders], 'dropping');
    this.d.logger.info({ group, catalog: name, user, version: spec.version }, 'catalog delete stored');
    const outcomes = await Promise.all(
      this.d.registry.inGroup(group).map(async (b): Promise<BackendOutcome> => {
        if (!holders.has(b.name)) return { backend: b.name, state: 'dropped' };
        if (!isAvailable(b)) return this.deferred(b, spec, 'dropping');
        return this.onBackend(b.name, () => this.dropOn(b, spec, user));
      }),
    );
    this.d.repo.purgeIfDropped(group, name);
    return this.result(group, name, outcomes, 'dropped', spec);
  }

  /** reconcileAll reconciles every available backend (each in its own queue). */
  async reconcileAll(): Promise<void> {
    await Promise.all(this.d.registry.all().map((b) => this.reconcile(b)));
  }

  /**
   * reconcile makes one backend match the desired state of its group: SHOW CATALOGS, then create what is
   * missing or stale and drop what was deleted. Catalogs no spec names (static ones) are left alone. A
   * backend whose group has no catalog specs and no deployment rows is not contacted at all.
   */
  reconcile(b: Backend): Promise<void> {
    if (this.stopped || !isAvailable(b) || this.queued.has(b.name)) return Promise.resolve();
    const specs = this.d.repo.specs(b.group);
    if (specs.length === 0) return Promise.resolve();
    this.queued.add(b.name);
    return this.onBackend(b.name, async () => {
      this.queued.delete(b.name);
      if (!this.current(b) || !isAvailable(b)) return; // replaced or gone while queued
      try {
        await this.reconcileNow(b);
      } catch (e) {
        // A reconcile round must never take the gateway down (a locked database, a bad stored value).
        this.d.logger.error({ backend: b.name, err: (e as Error).message }, 'catalog reconcile failed');
      }
    });
  }

  /**
   * leaveGroups drops from a backend that moved to another group the catalogs it got as a member of its
   * old group, so a cluster never keeps another group's data sources (and their credentials).
   */
  private async leaveGroups(b: Backend): Promise<void> {
    const stale = this.d.repo.deployments().filter((d) => d.backend === b.name && d.group !== b.group);
    for (const d of stale) {
      if (d.state !== 'failed') {
        const r = await this.driver(b, this.d.reconcileUser).drop(d.catalog);
        if (!r.ok) {
          this.d.logger.warn(
            { backend: b.name, catalog: d.catalog, oldGroup: d.group, err: r.message },
            'could not drop a catalog of the group the backend left',
          );
          continue; // its row stays, so the next change of membership or a restart tries again
        }
      }
      this.d.repo.deleteDeployment(d.group, d.catalog, b.name);
      this.d.repo.purgeIfDropped(d.group, d.catalog);
    }
  }

  /** start schedules periodic reconciliation and listens for backends becoming usable. */
  start(intervalMs: number, events: { onHealthy?: (fn: (b: Backend) => void) => void }): void {
    const r = this.d.registry;
    const later = (b: Backend) => setImmediate(() => void this.reconcile(b));
    r.on('activated', later);
    r.on('added', (b) => {
      if (this.d.repo.deployments().some((d) => d.backend === b.name && d.group !== b.group))
        void this.onBackend(b.name, () =>
          this.leaveGroups(b).catch((e: Error) =>
            this.d.logger.error({ backend: b.name, err: e.message }, 'leaving the old group failed'),
          ),
        );
      later(b);
    });
    r.on('removed', (b) => this.d.repo.forgetBackend(b.name));
    events.onHealthy?.(later);
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.reconcileAll().finally(() => !this.stopped && tick());
      }, intervalMs);
      this.timer.unref();
    };
    void this.reconcileAll();
    tick();
  }

  /** stop ends reconciling and resolves once work already running on backends has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.chains.values());
  }

  private async change(
    group: string,
    name: string,
    connector: string,
    props: Record<string, string>,
    user: string,
    replace: boolean,
  ): Promise<ChangeResult> {
    for (const [k, v] of Object.entries(props))
      if (this.d.sealer.isSealed(v))
        throw new CatalogError(
          400,
          `properties.${k}: values of the form "jwe:…" are reserved for sealed secrets`,
        );
    const sealed = await this.d.sealer.sealProperties(props, this.d.isSecret);
    const backends = this.d.registry.inGroup(group);
    const spec = this.d.repo.saveSpec(
      { group, name, connector, properties: sealed, desired: 'present' },
      backends.map((b) => b.name),
      'pending',
    );
    this.d.logger.info(
      { group, catalog: name, connector, user, version: spec.version, replace },
      'catalog change stored',
    );
    const outcomes = await Promise.all(
      backends.map((b) =>
        isAvailable(b)
          ? this.onBackend(b.name, () => this.createOn(b, spec, props, user, replace))
          : Promise.resolve(this.deferred(b, spec, 'pending')),
      ),
    );
    return this.result(group, name, outcomes, 'applied', spec);
  }

  private async reconcileNow(b: Backend): Promise<void> {
    const driver = this.driver(b, this.d.reconcileUser);
    const listed = await driver.list();
    if (!listed.ok) {
      this.d.logger.debug(
        { backend: b.name, error: listed.message },
        'catalog reconcile: cannot list catalogs',
      );
      return;
    }
    const names = new Set(listed.names);
    const deps = new Map(
      this.d.repo
        .deployments(b.group)
        .filter((x) => x.backend === b.name)
        .map((x) => [x.catalog, x]),
    );
    for (const spec of this.d.repo.specs(b.group)) {
      if (this.stopped) return;
      const dep = deps.get(spec.name);
      if (spec.desired === 'present') {
        const present = names.has(spec.name);
        if (present && dep?.state === 'applied' && dep.specVersion === spec.version) continue;
        let props: Record<string, string>;
        try {
          props = await this.d.sealer.unsealProperties(spec.properties);
        } catch {
          const error =
            'stored secret properties cannot be unsealed (was catalogs.sealKey changed?); replace the catalog';
          if (dep?.state !== 'failed' || dep.error !== error)
            this.d.logger.error({ backend: b.name, group: b.group, catalog: spec.name }, error);
          this.record(b, spec, 'failed', error);
          continue;
        }
        const o = await this.createOn(b, spec, props, this.d.reconcileUser, present);
        // A catalog a cluster keeps refusing is retried every round: log only what changed.
        const log = o.state === dep?.state && o.error === (dep?.error ?? undefined) ? 'debug' : 'info';
        this.d.logger[log](
          { backend: b.name, group: b.group, catalog: spec.name, state: o.state, error: o.error },
          'catalog reconciled',
        );
      } else {
        if (dep && names.has(spec.name)) await this.dropOn(b, spec, this.d.reconcileUser);
        else if (dep) this.d.repo.deleteDeployment(spec.group, spec.name, b.name);
        this.d.repo.purgeIfDropped(spec.group, spec.name);
      }
    }
  }

  /** createOn applies a spec on one backend (dropping the old definition first when asked) and records the outcome. */
  private async createOn(
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
    this.record(b, spec, state, error);
    this.d.metrics.catalogOps.inc({ operation: dropFirst ? 'replace' : 'create', outcome: state });
    return { backend: b.name, state, ...(error ? { error } : {}) };
  }

  private async dropOn(b: Backend, spec: CatalogSpec, user: string): Promise<BackendOutcome> {
    const r = await this.driver(b, user).drop(spec.name);
    this.d.metrics.catalogOps.inc({ operation: 'drop', outcome: r.ok ? 'dropped' : 'failed' });
    if (r.ok) {
      this.d.repo.deleteDeployment(spec.group, spec.name, b.name);
      return { backend: b.name, state: 'dropped' };
    }
    this.record(b, spec, 'dropping', r.message);
    return { backend: b.name, state: 'dropping', error: r.message };
  }

  /** deferred records that a backend that cannot take the change now will get it on reconcile. */
  private deferred(b: Backend, spec: CatalogSpec, state: 'pending' | 'dropping'): BackendOutcome {
    const error = !b.active
      ? 'backend is deactivated; applied when activated'
      : `backend is ${b.health}; applied when healthy`;
    this.record(b, spec, state, error);
    return { backend: b.name, state, error };
  }

  private record(b: Backend, spec: CatalogSpec, state: DeploymentState, error: string | null): void {
    // A backend removed or moved while its statement ran must not get its row back.
    if (!this.current(b) || b.group !== spec.group) return;
    this.d.repo.setDeployment({
      group: spec.group,
      catalog: spec.name,
      backend: b.name,
      state,
      specVersion: spec.version,
      error,
    });
  }

  private result(
    group: string,
    name: string,
    outcomes: BackendOutcome[],
    goal: 'applied' | 'dropped',
    spec: CatalogSpec,
  ): ChangeResult {
    const done = outcomes.filter((o) => o.state === goal).length;
    const applied = done === outcomes.length ? 'all' : done > 0 ? 'partial' : 'none';
    const after = this.d.repo.spec(group, name);
    const catalog = after ? this.view(after, this.d.repo.deployments(group, name)) : this.view(spec, []);
    return { catalog, outcomes, applied };
  }

  private view(s: CatalogSpec, deps: readonly Deployment[]): CatalogView {
    const mine = deps.filter((x) => x.group === s.group && x.catalog === s.name);
    const byBackend = new Map(mine.map((x) => [x.backend, x]));
    const names = new Set([...this.d.registry.inGroup(s.group).map((b) => b.name), ...byBackend.keys()]);
    const masked = maskProperties(
      s.properties,
      (k) => this.d.isSecret(k) || this.d.sealer.isSealed(s.properties[k]!),
    );
    return {
      group: s.group,
      name: s.name,
      connector: s.connector,
      properties: masked,
      version: s.version,
      status: s.desired === 'present' ? 'present' : 'dropping',
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      deployments: [...names].sort().map((backend) => {
        const x = byBackend.get(backend);
        return {
          backend,
          state: x?.state ?? 'pending',
          specVersion: x?.specVersion ?? null,
          error: x?.error ?? null,
        };
      }),
    };
  }

  /** scrub removes secret values from a backend's error text before it is stored or shown. */
  private scrub(message: string, props: Record<string, string>): string {
    let m = message;
    for (const [k, v] of Object.entries(props)) {
      if (!this.d.isSecret(k) || v.length < 3) continue;
      // As sent (SQL literal, JSON string) and as a backend may echo it back.
      for (const form of [v, v.replace(/'/g, "''"), JSON.stringify(v).slice(1, -1)])
        m = m.split(form).join('***');
    }
    return m;
  }

  /** driver talks to one backend; `props` (plain) lets errors reported to history be scrubbed of secrets. */
  private driver(b: Backend, user: string, props: Record<string, string> = {}): CatalogDriver {
    if (this.d.driverFor) return this.d.driverFor(b, user);
    const onQuery = this.d.onQuery;
    const opts = {
      baseUrl: b.url,
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

  private current(b: Backend): boolean {
    return this.d.registry.get(b.name) === b;
  }

  private requireGroup(group: string): void {
    if (!this.d.registry.group(group)) throw new CatalogError(404, `group "${group}" not found`);
  }

  /** onBackend runs fn after every earlier task of the same backend (a per-backend queue). */
  private onBackend<T>(backend: string, fn: () => Promise<T>): Promise<T> {
    return this.serially(`backend ${backend}`, fn);
  }

  /** serially runs fn after every earlier task queued under the same key. */
  private serially<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => this.chains.get(key) === settled && this.chains.delete(key));
    return next;
  }
}
