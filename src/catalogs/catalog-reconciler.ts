import { isAvailable, type Backend } from '../backends/backend.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { CatalogApplier } from './catalog-applier.js';
import type { CatalogStore } from '../store/ports.js';
import type { SecretSealer } from './secrets.js';

export interface CatalogReconcilerDeps {
  repo: CatalogStore;
  registry: BackendRegistry;
  sealer: SecretSealer;
  /** Trino user for reconcile statements. */
  reconcileUser: string;
  logger: Logger;
  /** Whether this replica reconciles on its own (the leader of several); default always. */
  leads?: () => boolean;
}

/**
 * CatalogReconciler makes each backend converge to the desired catalogs of its group: when it turns healthy,
 * is activated, joins the group, at start and every interval. A round never throws.
 */
export class CatalogReconciler {
  private readonly queued = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly d: CatalogReconcilerDeps,
    private readonly a: CatalogApplier,
  ) {}

  /** reconcileAll reconciles every available backend (each in its own queue). */
  async reconcileAll(): Promise<void> {
    await Promise.all(this.d.registry.all().map((b) => this.reconcile(b)));
  }

  /**
   * reconcile makes one backend match the desired state of its group: SHOW CATALOGS, then create what is
   * missing or stale and drop what was deleted. Catalogs no spec names (static ones) are left alone. A
   * backend whose group has no catalog specs and no deployment rows is not contacted at all.
   */
  async reconcile(b: Backend): Promise<void> {
    if (this.stopped || !isAvailable(b) || this.queued.has(b.name)) return;
    this.queued.add(b.name);
    let specs;
    try {
      specs = await this.d.repo.specs(b.group);
    } catch (e) {
      this.queued.delete(b.name);
      this.d.logger.error({ backend: b.name, err: (e as Error).message }, 'catalog reconcile failed');
      return;
    }
    if (specs.length === 0) return void this.queued.delete(b.name);
    return this.a.onBackend(b.name, async () => {
      this.queued.delete(b.name);
      if (!this.a.current(b) || !isAvailable(b)) return; // replaced or gone while queued
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
    const stale = (await this.d.repo.deployments()).filter(
      (d) => d.backend === b.name && d.group !== b.group,
    );
    for (const d of stale) {
      if (d.state !== 'failed') {
        const r = await this.a.driver(b, this.d.reconcileUser).drop(d.catalog);
        if (!r.ok) {
          this.d.logger.warn(
            { backend: b.name, catalog: d.catalog, oldGroup: d.group, err: r.message },
            'could not drop a catalog of the group the backend left',
          );
          continue; // its row stays, so the next change of membership or a restart tries again
        }
      }
      await this.d.repo.deleteDeployment(d.group, d.catalog, b.name);
      await this.d.repo.purgeIfDropped(d.group, d.catalog);
    }
  }

  /** start schedules periodic reconciliation and listens for backends becoming usable. */
  start(intervalMs: number, events: { onHealthy?: (fn: (b: Backend) => void) => void }): void {
    const r = this.d.registry;
    const leads = () => !this.d.leads || this.d.leads();
    const later = (b: Backend) => leads() && setImmediate(() => void this.reconcile(b));
    r.on('activated', later);
    r.on('added', (b) => {
      if (!leads()) return;
      // Queued first, so the reconcile below runs after the backend left its old group's catalogs.
      void this.a.onBackend(b.name, () =>
        this.leaveGroups(b).catch((e: Error) =>
          this.d.logger.error({ backend: b.name, err: e.message }, 'leaving the old group failed'),
        ),
      );
      later(b);
    });
    r.on('removed', (b) => {
      this.d.repo
        .forgetBackend(b.name)
        .catch((e: Error) =>
          this.d.logger.error({ backend: b.name, err: e.message }, 'forgetting a removed backend failed'),
        );
    });
    events.onHealthy?.(later);
    const tick = () => {
      this.timer = setTimeout(() => {
        void (leads() ? this.reconcileAll() : Promise.resolve()).finally(() => !this.stopped && tick());
      }, intervalMs);
      this.timer.unref();
    };
    if (leads()) void this.reconcileAll();
    tick();
  }

  /** stop ends reconciling and resolves once work already running on backends has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.a.idle();
  }

  private async reconcileNow(b: Backend): Promise<void> {
    const driver = this.a.driver(b, this.d.reconcileUser);
    const listed = await driver.list();
    if (!listed.ok) {
      this.d.logger.debug(
        { backend: b.name, error: listed.message },
        'catalog reconcile: cannot list catalogs',
      );
      return;
    }
    const names = new Set(listed.names);
    for (const { name } of await this.d.repo.specs(b.group)) {
      if (this.stopped) return;
      if (this.a.changing.has(`${b.group}/${name}`)) continue; // the change applies it
      // Read afresh for each catalog: an API change stores its spec (and a delete its holders) outside this
      // backend's queue, so a list read at the start of the round may be stale by the time its turn comes.
      const spec = await this.d.repo.spec(b.group, name);
      if (!spec) continue;
      const dep = await this.a.deployment(b.group, name, b.name);
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
          await this.a.record(b, spec, 'failed', error);
          continue;
        }
        const o = await this.a.createOn(b, spec, props, this.d.reconcileUser, present);
        // A catalog a cluster keeps refusing is retried every round: log only what changed.
        const log = o.state === dep?.state && o.error === (dep?.error ?? undefined) ? 'debug' : 'info';
        this.d.logger[log](
          { backend: b.name, group: b.group, catalog: spec.name, state: o.state, error: o.error },
          'catalog reconciled',
        );
      } else {
        if (dep && names.has(spec.name)) await this.a.dropOn(b, spec, this.d.reconcileUser);
        else if (dep) await this.d.repo.deleteDeployment(spec.group, spec.name, b.name);
        await this.d.repo.purgeIfDropped(spec.group, spec.name);
      }
    }
  }
}
