/**
 * The web UI as FormWebUiAuthenticationFilter guards it (web-ui.authentication.type=form, the default):
 * POST /ui/login answers 303 with an absolute Location built from the request and a Trino-UI-Token
 * cookie; /ui/api/* without a valid token answers 401; other UI pages redirect to the login form.
 * ClusterStatsResource serves /ui/api/stats.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { body, escapeHtml, json, text } from './http-util.js';
import type { RequestView } from './gate.js';
import type { EmulatorCore } from './core.js';

export class WebUi {
  private readonly tokens = new Set<string>();

  constructor(private readonly core: EmulatorCore) {}

  clear(): void {
    this.tokens.clear();
  }

  async route(req: http.IncomingMessage, res: http.ServerResponse, v: RequestView, p: string): Promise<void> {
    const form = this.core.settings.webUiAuthentication === 'form';
    if (p === '/ui/login' && req.method === 'POST') return this.login(req, res, v);
    if (p === '/ui/login.html' || p.startsWith('/ui/assets/'))
      return page(
        res,
        `<form method="post" action="/ui/login">Log in to ${escapeHtml(this.core.name)}</form>`,
      );
    if (form && !this.loggedIn(req)) {
      if (p.startsWith('/ui/api/')) return text(res, 401, 'Unauthorized');
      res.writeHead(303, { location: `${v.base}/ui/login.html` }).end();
      return;
    }
    if (p === '/ui/api/stats') return this.stats(req, res);
    if (p === '/ui/query.html') {
      const id = new URL(req.url ?? '/', 'http://x').search.slice(1);
      return page(res, `<h1>${escapeHtml(id)} on ${escapeHtml(this.core.name)}</h1>`, `Query ${id}`);
    }
    page(res, `<p>Trino UI of ${escapeHtml(this.core.name)}</p>`);
  }

  private loggedIn(req: http.IncomingMessage): boolean {
    const token = /(?:^|;\s*)Trino-UI-Token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return !!token && this.tokens.has(token);
  }

  /** login is FormWebUiAuthenticationFilter's POST /ui/login with InsecureFormAuthenticator / PasswordManagerFormAuthenticator. */
  private async login(req: http.IncomingMessage, res: http.ServerResponse, v: RequestView): Promise<void> {
    const form = new URLSearchParams((await body(req)).toString());
    const user = form.get('username') || undefined;
    const password = form.get('password') || undefined;
    const s = this.core.settings;
    const valid =
      !!user &&
      (s.authentication === 'password' && v.secure
        ? s.passwords[user] === password
        : (v.secure || s.allowInsecureOverHttp) && password === undefined);
    if (!valid) {
      res.writeHead(303, { location: `${v.base}/ui/login.html?error` }).end();
      return;
    }
    const token = randomUUID();
    this.tokens.add(token);
    const redirect = form.get('redirectPath');
    const target = redirect && redirect.startsWith('/ui') ? redirect : '/ui/';
    res
      .writeHead(303, {
        location: `${v.base}${target}`,
        'set-cookie': `Trino-UI-Token=${token}; Path=/ui; HttpOnly${v.secure ? '; Secure' : ''}`,
      })
      .end();
  }

  private stats(req: http.IncomingMessage, res: http.ServerResponse): void {
    const live = [...this.core.queries.values()];
    const count = (s: string) => live.filter((q) => q.state === s).length;
    json(req, res, 200, {
      runningQueries: count('RUNNING'),
      blockedQueries: 0,
      queuedQueries: count('QUEUED'),
      activeCoordinators: 1,
      activeWorkers: 1,
      runningDrivers: count('RUNNING'),
      totalAvailableProcessors: 2,
      reservedMemory: 0,
      totalInputRows: 0,
      totalInputBytes: 0,
      totalCpuTimeSecs: 0,
    });
  }
}

function page(res: http.ServerResponse, html: string, title = 'Trino'): void {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(`<!doctype html><title>${escapeHtml(title)}</title>${html}`);
}
