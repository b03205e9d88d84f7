import type { Backend, BackendStats } from '../backends/backend.js';
import type { BackendAnswer } from '../backends/backend-client.js';
import type { Logger } from '../observability/logger.js';

export interface StatsOptions {
  /** User for the cluster's web UI form login (Trino's insecure form login needs only a name). */
  user: string;
  password?: string;
  timeoutMs: number;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/**
 * StatsReader reads a cluster's load (running, queued, blocked queries) from its web UI's `/ui/api/stats`
 * (ClusterStatsResource), logging in through the UI form (`POST /ui/login`, Trino's FormWebUiAuthenticator)
 * when the UI asks for it and keeping the session cookie per backend. `read` returns undefined when the
 * load cannot be read, so a selector never acts on stale numbers; failures are logged at debug only (the
 * UI may simply be disabled).
 */
export class StatsReader {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly o: StatsOptions,
    private readonly logger: Logger,
  ) {}

  async read(b: Backend, signal: AbortSignal): Promise<BackendStats | undefined> {
    try {
      let r = await this.get(b, signal);
      if (r.status === 401 || r.status === 403 || (r.status >= 300 && r.status < 400)) {
        await this.login(b, signal);
        r = await this.get(b, signal);
      }
      if (r.status !== 200) throw new Error(`/ui/api/stats answered ${r.status}`);
      const s = JSON.parse(r.body) as Record<string, unknown>;
      return {
        runningQueries: num(s.runningQueries),
        queuedQueries: num(s.queuedQueries),
        blockedQueries: num(s.blockedQueries),
        updatedAt: Date.now(),
      };
    } catch (e) {
      this.logger.debug({ backend: b.name, err: (e as Error).message }, 'cluster stats unavailable');
      return undefined;
    }
  }

  private async get(b: Backend, signal: AbortSignal) {
    const cookie = this.cookies.get(b.name);
    return answered(
      await b.client.call({
        method: 'GET',
        path: '/ui/api/stats',
        headers: cookie ? { cookie } : {},
        deadline: Date.now() + this.o.timeoutMs,
        signal,
        maxBytes: 65_536,
      }),
    );
  }

  private async login(b: Backend, signal: AbortSignal): Promise<void> {
    const form = new URLSearchParams({
      username: this.o.user,
      password: this.o.password ?? '',
      redirectPath: '',
    });
    const r = answered(
      await b.client.call({
        method: 'POST',
        path: '/ui/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        deadline: Date.now() + this.o.timeoutMs,
        signal,
        maxBytes: 65_536,
      }),
    );
    const set = r.headers['set-cookie'];
    const cookie = (Array.isArray(set) ? set : set ? [set] : []).map((c) => c.split(';')[0]).join('; ');
    if (!cookie) throw new Error(`/ui/login answered ${r.status} without a session cookie`);
    this.cookies.set(b.name, cookie);
  }
}

/** answered turns a transport failure into an exception for read's one catch. */
function answered(r: BackendAnswer): Extract<BackendAnswer, { ok: true }> {
  if (!r.ok) throw new Error(r.message);
  return r;
}
