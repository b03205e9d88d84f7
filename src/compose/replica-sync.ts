import type { LayeredUserDirectory } from '../auth/user-directory.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { DatabaseRules } from '../routing/database-rules.js';
import { ChangeFeed } from '../store/pg/change-feed.js';
import type { ChangeArea } from '../store/pg/change-notice.js';
import type { BackendStore } from '../store/ports.js';

export interface ReplicaSyncDeps {
  registry: BackendRegistry;
  backends: BackendStore;
  users: LayeredUserDirectory;
  databaseRules: DatabaseRules;
  logger: Logger;
}

/** The areas a replica keeps in memory, each reloaded from the store when another replica changed it. */
type Reloadable = Exclude<ChangeArea, 'catalogs'>;
const AREAS: readonly Reloadable[] = ['backends', 'users', 'rules'];

/**
 * ReplicaSync keeps this replica's memory (backends and groups, API users, database rules) in step with
 * what every replica writes to PostgreSQL: the change feed's notice of an area reloads it, and a reconnect
 * or a change version that moved unannounced reloads everything. Catalogs need nothing: they are read from
 * the store on every use. A reload already running for an area runs once more after it, never twice at once.
 */
export class ReplicaSync {
  private readonly running = new Map<Reloadable, Promise<void>>();
  private readonly again = new Set<Reloadable>();

  constructor(
    private readonly feed: ChangeFeed,
    private readonly d: ReplicaSyncDeps,
  ) {
    feed.on('change', (area) => {
      if (area !== 'catalogs') void this.reload(area);
    });
    feed.on('reload', () => void Promise.all(AREAS.map((a) => this.reload(a))));
  }

  static forUrl(url: string, o: { checkIntervalMs?: number; connectTimeoutMs?: number }, d: ReplicaSyncDeps) {
    return new ReplicaSync(new ChangeFeed({ url, ...o }), d);
  }

  /** start listens (resolving once listening, or once the first attempt failed) until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => void this.feed.stop(), { once: true });
    await this.feed.start();
    if (!this.feed.connected())
      return this.d.logger.warn('cannot LISTEN for changes of other replicas yet; retrying every second');
    // What changed between the start's reads and LISTEN came without a notice: read it all once more.
    await Promise.all(AREAS.map((a) => this.reload(a)));
  }

  /** listening: whether the LISTEN connection is up now. */
  listening(): boolean {
    return this.feed.connected();
  }

  /** reload re-reads one area; concurrent asks for the same area coalesce into one more run. */
  reload(area: Reloadable): Promise<void> {
    const now = this.running.get(area);
    if (now) {
      this.again.add(area);
      return now;
    }
    const run = this.load(area)
      .catch((e: Error) =>
        this.d.logger.warn({ area, err: e.message }, 'reloading a change of another replica failed'),
      )
      .finally(() => {
        this.running.delete(area);
        if (this.again.delete(area)) void this.reload(area);
      });
    this.running.set(area, run);
    return run;
  }

  private async load(area: Reloadable): Promise<void> {
    const d = this.d;
    if (area === 'backends')
      return d.registry.reload(async () => {
        const [backends, groups] = await Promise.all([d.backends.listBackends(), d.backends.listGroups()]);
        return { backends, groups };
      });
    if (area === 'users') return d.users.load();
    await d.databaseRules.load();
  }
}
