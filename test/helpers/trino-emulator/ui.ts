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
import { UI_TOKEN_COOKIE, type ClusterOAuth2 } from './oauth2.js';

/** FormWebUiAuthenticationFilter.TRINO_FORM_LOGIN: the challenge of a /ui/api/* 401. */
const FORM_CHALLENGE = { 'www-authenticate': 'Trino-Form-Login' };

export class WebUi {
  /** UI tokens issued by the form login, and the user each stands for. */
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly core: EmulatorCore,
    private readonly oauth2?: ClusterOAuth2,
  ) {}

  clear(): void {
    this.tokens.clear();
  }

  async route(req: http.IncomingMessage, res: http.ServerResponse, v: RequestView, p: string): Promise<void> {
    const mode = this.core.settings.webUiAuthentication;
    if (mode === 'oauth2' && this.oauth2) return this.oauth2Gate(req, res, v, p);
    const form = mode === 'form';
    if (p === '/ui/login' && req.method === 'POST') return this.login(req, res, v);
    if (p === '/ui/login.html' || p.startsWith('/ui/assets/')) return page(res, loginForm(this.core.name));
    const user = this.loggedIn(req);
    if (form && !user) {
      if (p.startsWith('/ui/api/')) return text(res, 401, 'Unauthorized', FORM_CHALLENGE);
      res.writeHead(303, { location: `${v.base}/ui/login.html` }).end();
      return;
    }
    return this.serve(req, res, p, user);
  }

  /** oauth2Gate is OAuth2WebUiAuthenticationFilter: the provider's token in its cookie, else the provider. */
  private async oauth2Gate(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    v: RequestView,
    p: string,
  ): Promise<void> {
    if (!v.secure) {
      if (p.startsWith('/ui/api/')) return text(res, 401, 'Unauthorized', FORM_CHALLENGE);
      return void res.writeHead(303, { location: '/ui/disabled.html' }).end();
    }
    const token = cookie(req, UI_TOKEN_COOKIE);
    const user = await this.oauth2!.user(token);
    if (!user) {
      if (p.startsWith('/ui/api/')) return text(res, 401, 'Unauthorized', FORM_CHALLENGE);
      return this.oauth2!.start(res, v, undefined);
    }
    return this.serve(req, res, p, user);
  }

  private serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    p: string,
    user: string | undefined,
  ): void {
    if (p === '/ui/api/stats') return this.stats(req, res);
    if (p === '/ui/query.html') {
      const id = new URL(req.url ?? '/', 'http://x').search.slice(1);
      return page(res, `<h1>${escapeHtml(id)} on ${escapeHtml(this.core.name)}</h1>`, `Query ${id}`);
    }
    const who = user ? `, signed in as <b id="user">${escapeHtml(user)}</b>` : '';
    page(res, `<p>Trino UI of <b id="cluster">${escapeHtml(this.core.name)}</b>${who}</p>`);
  }

  private loggedIn(req: http.IncomingMessage): string | undefined {
    const token = cookie(req, 'Trino-UI-Token');
    return token ? this.tokens.get(token) : undefined;
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
    this.tokens.set(token, user!);
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

function cookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** loginForm is the shape of Trino's login.html: username, password, and the page to return to. */
function loginForm(name: string): string {
  return (
    `<form method="post" action="/ui/login"><p>Log in to ${escapeHtml(name)}</p>` +
    `<input name="username" id="username"><input name="password" id="password" type="password">` +
    `<input type="hidden" name="redirectPath" value="/ui/"><button type="submit">Log In</button></form>`
  );
}

function page(res: http.ServerResponse, html: string, title = 'Trino'): void {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(`<!doctype html><title>${escapeHtml(title)}</title>${html}`);
}
