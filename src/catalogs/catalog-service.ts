import { isAvailable, type Backend } from '../backends/backend.js';
import { CatalogApplier, type BackendOutcome, type CatalogApplierDeps } from './catalog-applier.js';
import type { CatalogSpec, Deployment } from './catalog-repo.js';
import { CatalogReconciler, type CatalogReconcilerDeps } from './catalog-reconciler.js';
import { catalogView, type CatalogView } from './catalog-view.js';
import { audit } from '../observability/audit.js';
import { AppError } from '../app-error.js';
import { validateCatalogName, validateConnectorName, validateProperties } from './identifiers.js';

export type { BackendOutcome, CatalogQuery } from './catalog-applier.js';
export type { CatalogView } from './catalog-view.js';

/** A change as a caller asks for it, validated by the service (names lower-cased, properties checked). */
export interface CatalogRequest {
  name: unknown;
  /** For a replace: the connector to switch to, or undefined to keep the current one. */
  connector?: unknown;
  properties: unknown;
}

/** How the caller's API spells the fields, for messages: the seed API's, or the native API's `name`. */
export interface FieldNames {
  name: string;
  connector: string;
}

/** The seed-compatible API's (and the console's) field names. */
export const SEED_FIELDS: FieldNames = { name: 'catalogName', connector: 'connectorName' };
/** The native REST API's field names. */
export const NATIVE_FIELDS: FieldNames = { name: 'name', connector: 'connector' };

/** The answer of a change: the catalog afterwards and each backend's outcome. */
export interface ChangeResult {
  catalog: CatalogView;
  outcomes: BackendOutcome[];
  /** all: every backend of the group reached the desired state; partial: some; none: none did (stored, to be reconciled). */
  applied: 'all' | 'partial' | 'none';
}

/** What the service needs: the applier's and the reconciler's deps together. */
export type CatalogServiceDeps = CatalogApplierDeps & CatalogReconcilerDeps;

/**
 * Catalog broadcast as desired state. A change is committed to the store first (spec plus one deployment row
 * per backend of the group), then sent to every available backend of the group concurrently, each with its
 * own timeout; backends that are down, deactivated or unreachable stay pending and are reconciled when they
 * turn healthy, are activated, join the group, and every reconcile interval. All work on one backend runs
 * one at a time, so a reconcile never interleaves with a change on the same cluster.
 */
export class CatalogService {
  private readonly a: CatalogApplier;
  private readonly reconciler: CatalogReconciler;

  constructor(private readonly d: CatalogServiceDeps) {
    this.a = new CatalogApplier(d);
    this.reconciler = new CatalogReconciler(d, this.a);
  }

  /** start schedules reconciliation (see CatalogReconciler) until `signal` aborts. */
  start(
    intervalMs: number,
    events: { onHealthy?: (fn: (b: Backend) => void) => void },
    signal?: AbortSignal,
  ): void {
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.reconciler.start(intervalMs, events);
  }

  /** reconcileAll reconciles every available backend now. */
  reconcileAll(): Promise<void> {
    return this.reconciler.reconcileAll();
  }

  /** stop ends reconciling and resolves once work already running on backends has finished. */
  stop(): Promise<void> {
    return this.reconciler.stop();
  }

  /** list returns the catalogs of one group, or of every group. */
  async list(group?: string): Promise<CatalogView[]> {
    if (group !== undefined) this.requireGroup(group);
    const [deps, specs] = await Promise.all([this.d.repo.deployments(group), this.d.repo.specs(group)]);
    return specs.map((s) => this.view(s, deps));
  }

  async get(group: string, name: string): Promise<CatalogView> {
    const s = await this.d.repo.spec(group, name);
    if (!s) throw new AppError(404, `catalog "${name}" not found in group "${group}"`);
    return this.view(s, await this.d.repo.deployments(group, name));
  }

  /** create validates and stores a new catalog spec, then applies it to every backend of the group. */
  async create(group: string, req: CatalogRequest, user: string, f = SEED_FIELDS): Promise<ChangeResult> {
    const name = validateCatalogName(req.name, f.name);
    const connector = validateConnectorName(req.connector, f.connector);
    const props = validateProperties(req.properties);
    this.requireGroup(group);
    return this.changingOne(group, name, async () => {
      const old = await this.d.repo.spec(group, name);
      if (old?.desired === 'present')
        throw new AppError(409, `catalog "${name}" already exists in group "${group}"; replace it with PUT`);
      return this.change(group, name, connector, props, user, false);
    });
  }

  /** replace validates a new version of an existing spec (connector kept unless given) and applies it. */
  async replace(group: string, req: CatalogRequest, user: string, f = SEED_FIELDS): Promise<ChangeResult> {
    const name = validateCatalogName(req.name, f.name);
    const connector =
      req.connector === undefined ? undefined : validateConnectorName(req.connector, f.connector);
    const props = validateProperties(req.properties);
    this.requireGroup(group);
    return this.changingOne(group, name, async () => {
      const old = await this.d.repo.spec(group, name);
      if (!old || old.desired !== 'present')
        throw new AppError(404, `catalog "${name}" not found in group "${group}"`);
      return this.change(group, name, connector ?? old.connector, props, user, true);
    });
  }

  /** delete drops the catalog from every backend holding it; the spec goes once none does. */
  async delete(group: string, rawName: unknown, user: string, f = SEED_FIELDS): Promise<ChangeResult> {
    const name = validateCatalogName(rawName, f.name);
    this.requireGroup(group);
    return this.changingOne(group, name, () => this.deleteNow(group, name, user));
  }

  /** changingOne runs one change of a catalog after the earlier ones, marked so reconcile leaves it be. */
  private changingOne<T>(group: string, name: string, fn: () => Promise<T>): Promise<T> {
    const key = `${group}/${name}`;
    return this.a.serially(`catalog ${key}`, async () => {
      this.a.changing.add(key);
      try {
        return await fn();
      } finally {
        this.a.changing.delete(key);
      }
    });
  }

  private async deleteNow(group: string, name: string, user: string): Promise<ChangeResult> {
    const old = await this.d.repo.spec(group, name);
    if (!old || old.desired !== 'present')
      throw new AppError(404, `catalog "${name}" not found in group "${group}"`);
    // A backend whose create failed never had the catalog: forget its row; every other may hold it.
    const rows = await this.d.repo.deployments(group, name);
    for (const x of rows)
      if (x.state === 'failed') await this.d.repo.deleteDeployment(group, name, x.backend);
    const holders = new Set(rows.filter((x) => x.state !== 'failed').map((x) => x.backend));
    const spec = await this.d.repo.saveSpec({ ...old, desired: 'absent' }, [...holders], 'dropping');
    audit(this.d.logger, {
      who: user,
      what: 'catalog.delete',
      target: `${group}/${name}`,
      before: { connector: old.connector, version: old.version },
    });
    const outcomes = await Promise.all(
      this.d.registry.inGroup(group).map(async (b): Promise<BackendOutcome> => {
        if (!holders.has(b.name)) return { backend: b.name, state: 'dropped' };
        if (!isAvailable(b)) return await this.a.deferred(b, spec, 'dropping');
        return this.a.onBackend(b.name, () => this.a.dropOn(b, spec, user));
      }),
    );
    await this.d.repo.purgeIfDropped(group, name);
    return this.result(group, name, outcomes, 'dropped', spec);
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
        throw new AppError(
          400,
          `properties.${k}: values of the form "jwe:…" are reserved for sealed secrets`,
        );
    const sealed = await this.d.sealer.sealProperties(props, this.d.isSecret);
    const backends = this.d.registry.inGroup(group);
    const prior = await this.d.repo.spec(group, name);
    const old = prior?.desired === 'present' ? prior : undefined;
    const spec = await this.d.repo.saveSpec(
      { group, name, connector, properties: sealed, desired: 'present' },
      backends.map((b) => b.name),
      'pending',
    );
    // Property values may be secrets: the trail names the keys only.
    audit(this.d.logger, {
      who: user,
      what: replace ? 'catalog.replace' : 'catalog.create',
      target: `${group}/${name}`,
      before: old && { connector: old.connector, version: old.version },
      after: { connector, version: spec.version, properties: Object.keys(props).sort() },
    });
    const outcomes = await Promise.all(
      backends.map((b) =>
        isAvailable(b)
          ? this.a.onBackend(b.name, () => this.a.ensureOn(b, spec, props, user, replace))
          : this.a.deferred(b, spec, 'pending'),
      ),
    );
    return this.result(group, name, outcomes, 'applied', spec);
  }

  private async result(
    group: string,
    name: string,
    outcomes: BackendOutcome[],
    goal: 'applied' | 'dropped',
    spec: CatalogSpec,
  ): Promise<ChangeResult> {
    const done = outcomes.filter((o) => o.state === goal).length;
    const applied = done === outcomes.length ? 'all' : done > 0 ? 'partial' : 'none';
    const after = await this.d.repo.spec(group, name);
    const catalog = after
      ? this.view(after, await this.d.repo.deployments(group, name))
      : this.view(spec, []);
    return { catalog, outcomes, applied };
  }

  private view(s: CatalogSpec, deps: readonly Deployment[]): CatalogView {
    return catalogView(
      s,
      deps,
      this.d.registry.inGroup(s.group),
      (k) => this.d.isSecret(k) || this.d.sealer.isSealed(s.properties[k]!),
    );
  }

  private requireGroup(group: string): void {
    if (!this.d.registry.group(group)) throw new AppError(404, `group "${group}" not found`);
  }
}
