import http from 'node:http';
import https from 'node:https';
import type { Backend } from '../backends/backend.js';
import type { Logger } from '../observability/logger.js';

export interface StatsOptions {
  /** User for the cluster's web UI form login (Trino's insecure form login needs only a name). */
  user: string;
  password?: string;
  timeoutMs: number;
}

interface Answer {
  status: number;
  body: string;
  setCookie: string[];
}

function request(
  b: Backend,
  method: string,
  path: string,
  headers: Record<string, string>,
  timeoutMs: number,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const mod = b.target.protocol === 'https:' ? https : http;
    const req = mod.request(`${b.url}${path}`, { method, headers, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => text.length < 65_536 && (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text, setCookie: res.headers['set-cookie'] ?? [] }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/**
 * StatsPoller reads a cluster's load (running, queued, blocked queries) from its web UI's
 * `/ui/api/stats` (ClusterStatsResource), logging in through the UI form (`POST /ui/login`) when the UI
 * asks for it and keeping the session cookie per backend. A failed read clears the backend's stats, so a
 * selector never acts on stale numbers; failures are logged at debug only (the UI may simply be disabled).
 */
export class StatsPoller {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly o: StatsOptions,
    private readonly logger: Logger,
  ) {}

  async poll(b: Backend): Promise<void> {
    try {
      let r = await this.get(b);
      if (r.status === 401 || r.status === 403 || (r.status >= 300 && r.status < 400)) {
        await this.login(b);
        r = await this.get(b);
      }
      if (r.status !== 200) throw new Error(`/ui/api/stats answered ${r.status}`);
      const s = JSON.parse(r.body) as Record<string, unknown>;
      b.stats = {
        runningQueries: num(s.runningQueries),
        queuedQueries: num(s.queuedQueries),
        blockedQueries: num(s.blockedQueries),
        updatedAt: Date.now(),
      };
    } catch (e) {
      b.stats = undefined;
      this.logger.debug({ backend: b.name, err: (e as Error).message }, 'cluster stats unavailable');
    }
  }

  private get(b: Backend): Promise<Answer> {
    const cookie = this.cookies.get(b.name);
    return request(b, 'GET', '/ui/api/stats', cookie ? { cookie } : {}, this.o.timeoutMs);
  }

  private async login(b: Backend): Promise<void> {
    const form = new URLSearchParams({
      username: this.o.user,
      password: this.o.password ?? '',
      redirectPath: '',
    });
    const r = await request(
      b,
      'POST',
      '/ui/login',
      { 'content-type': 'application/x-www-form-urlencoded' },
      this.o.timeoutMs,
      form.toString(),
    );
    const cookie = r.setCookie.map((c) => c.split(';')[0]).join('; ');
    if (!cookie) throw new Error(`/ui/login answered ${r.status} without a session cookie`);
    this.cookies.set(b.name, cookie);
  }
}
