import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthOutcome } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import type { Backend } from '../backends/backend.js';
import { GatewayError } from '../trino/errors.js';
import { checkOwner, ownerKnown } from './follow-up-owner.js';
import { applyPrincipal } from './identity.js';
import { noBackend } from './no-backend.js';
import { notFound, ownerBackend } from './follow-up-owner.js';
import type { ProxyContext } from './proxy-deps.js';
import { principalOf } from './request-parts.js';
import { uiLoginForm } from './ui-login.js';
import { escapeHtml, htmlPage } from './ui-pages.js';
import { isUiLogin, uiQueryId } from './ui-paths.js';
import { pinCookie, UiPins } from './ui-pin.js';
import { relay } from './ui-relay.js';
import { addCookie, signInRedirect } from './oauth2-passthrough.js';
import {
  PASSWORD_PATH,
  SIGN_IN_PATH,
  signInPage,
  tokenCookie,
  tokenSignIn,
  useTokenCookie,
  type SignInPageOptions,
} from './ui-sign-in.js';
import { readBody } from './request-body.js';

const PICK_PATH = '/ui/_switchyard/pick';
const CLUSTERS_PATH = '/ui/_switchyard/clusters';
const LOGOUT_PATH = '/ui/_switchyard/logout';

export interface UiProxyOptions {
  /** Whether /ui needs a principal (false in auth.mode none, where the clusters' own UI login decides). */
  needsPrincipal: boolean;
  /** Authenticates a request as the protocol does; `authorization` replaces its own header when given. */
  authenticate(req: IncomingMessage, authorization?: string): AuthOutcome;
  signIn: SignInPageOptions;
  /** Mark the gateway's cookies Secure (an https public URL). */
  secureCookies: boolean;
}

/**
 * UiProxy serves Trino's web UI (/ui/*) through the gateway. Each browser's UI is pinned to one cluster by
 * the signed pin cookie (ui-pin.ts): chosen on the picker page among the clusters of the groups the
 * principal may use (names only, never URLs), or by the group's routing when the request is no page
 * navigation or the picker's "let routing choose"; /ui/query.html?{id} goes to the query's owner and pins
 * it. The principal decides the user the cluster sees, on every request and in the UI login form; where
 * browsers have no Basic credentials, the gateway's UI token cookie gets them in (ui-sign-in.ts). The
 * clusters' redirects, login forms and cookies are rewritten to the gateway (ui-relay.ts).
 */
export class UiProxy {
  private readonly pins: UiPins;

  constructor(
    private readonly cx: ProxyContext,
    private readonly o: UiProxyOptions,
  ) {
    const d = cx;
    this.pins = new UiPins(d.registry, d.picker, d.codec, d.defaultGroup);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, queryId?: string): Promise<void> {
    const url = req.url ?? '';
    if (/(^|\/)\.\.?(\/|$)|%2e|\\/i.test(url))
      throw new GatewayError(400, 'BAD_REQUEST', 'path traversal refused');
    if (path === SIGN_IN_PATH && req.method === 'POST')
      return tokenSignIn(req, res, async (a) => this.o.authenticate(req, a), {
        ...this.o.signIn,
        secure: this.o.secureCookies,
        prefix: this.cx.prefix,
      });
    if (path === SIGN_IN_PATH) return signInPage(res, this.o.signIn, 200);
    if (path === LOGOUT_PATH) return this.logout(res);
    const principal = this.o.needsPrincipal ? await this.principal(req, res) : undefined;
    if (this.o.needsPrincipal && !principal) return;
    const user = principal ? applyPrincipal(req, principal, this.cx.resolveUser) : undefined;
    const id = queryId ?? uiQueryId(req);
    if (id !== undefined && !this.cx.affinity.knows(id))
      await (this.cx.ownerGraceMs
        ? ownerKnown(this.cx.affinity, id, this.cx.ownerGraceMs)
        : this.cx.affinity.recall(id));
    if (principal && id !== undefined) checkOwner(principal, id, this.cx.affinity, this.cx.resolveUser);
    if (path === PASSWORD_PATH) return void res.writeHead(303, { location: `${this.cx.prefix}/ui/` }).end();
    if (path === PICK_PATH && req.method === 'POST') return this.pick(req, res, principal);
    if (path === CLUSTERS_PATH) return this.picker(res, principal);
    const { b, pin } = this.choose(req, principal, queryId, id);
    if (!b) {
      if (pin === 'picker') return this.picker(res, principal);
      throw noBackend(this.cx.defaultGroup);
    }
    const extra = pin ? [pinCookie(this.pins.handle(b), this.o.secureCookies, this.cx.prefix)] : [];
    const form =
      principal && isUiLogin(req) ? await uiLoginForm(req, principal, user!, this.cx.resolveUser) : undefined;
    // A cluster whose web UI signs in with OAuth2 sends the browser to its IdP (signInRedirect lets it).
    const hooks = signInRedirect(this.cx, b, this.o.secureCookies);
    const head = hooks.head!;
    hooks.head = (status, h) => {
      for (const line of extra) addCookie(h, line);
      return head(status, h);
    };
    await relay(this.cx, req, res, b, url, hooks, form?.body(b.forwardsAuthorization));
  }

  /** choose names the cluster of this request, and whether it must be pinned (or the picker shown). */
  private choose(
    req: IncomingMessage,
    principal: Principal | undefined,
    pageQueryId: string | undefined,
    apiQueryId: string | undefined,
  ): { b?: Backend; pin?: boolean | 'picker' } {
    // query.html?{id} opens on the owner and pins it; the UI's /ui/api/query/{id} calls go to the owner too.
    const queryId = pageQueryId ?? apiQueryId;
    if (queryId !== undefined) {
      const owner = this.cx.affinity.queryOwner(queryId);
      if (owner) return { b: ownerBackend(this.cx.registry, owner, queryId), pin: pageQueryId !== undefined };
      // A query the gateway never saw (run on the cluster directly) is looked up on the pinned cluster,
      // where the UI listed it; its own page asks for a query the gateway knows.
      if (pageQueryId !== undefined) throw notFound(queryId);
    }
    const pinned = this.pins.pinned(req, principal);
    if (pinned) return { b: pinned };
    const all = this.pins.candidates(principal);
    if (all.length === 1) return { b: all[0], pin: true };
    if (all.length > 1 && isNavigation(req)) return { pin: 'picker' };
    const b = this.pins.routed(principal);
    return b ? { b, pin: true } : {};
  }

  /** principal authenticates a /ui request (the UI token cookie standing in for a bearer token), else answers. */
  private async principal(req: IncomingMessage, res: ServerResponse): Promise<Principal | undefined> {
    const fromCookie = useTokenCookie(req);
    const auth = await this.o.authenticate(req);
    if (fromCookie) delete req.headers.authorization;
    if (auth.ok) return auth.principal;
    if (!isNavigation(req)) principalOf(auth);
    const note = fromCookie ? 'Your sign-in has ended; sign in again.' : undefined;
    // With single sign-on offered, a page navigation gets the page first, not the browser's password
    // dialog (the page links to PASSWORD_PATH, which challenges); without it, the Basic challenge too.
    const wantsPassword = (req.url ?? '').startsWith(PASSWORD_PATH);
    const basic =
      !this.o.signIn.oidcUrl || wantsPassword ? auth.challenge?.match(/Basic realm="[^"]*"/)?.[0] : undefined;
    signInPage(res, this.o.signIn, auth.status === 401 ? 401 : auth.status, note ?? auth.message, basic);
    return undefined;
  }

  /** picker lists the clusters the principal may use, by name, with a choice for each and one for routing. */
  private picker(res: ServerResponse, principal: Principal | undefined): void {
    const all = this.pins.candidates(principal);
    const button = (value: string, label: string, note = '') =>
      `<form method="post" action="${PICK_PATH}"><input type="hidden" name="cluster" value="${escapeHtml(value)}">` +
      `<button type="submit">${escapeHtml(label)}</button>${note}</form>`;
    const items = all.map((b) => {
      const note = ` <small>group ${escapeHtml(b.group)}${this.pins.available(b) ? '' : ', unavailable'}</small>`;
      return `<li>${button(this.pins.handle(b), b.name, note)}</li>`;
    });
    htmlPage(
      res,
      200,
      'Choose a cluster',
      'Which cluster’s web UI do you want to open? The choice is kept in this browser.',
      `<ul id="clusters">${items.join('')}</ul>${button('routing', 'Let routing choose')}`,
    );
  }

  /** pick pins the chosen cluster (a signed handle the principal may use, or routing's choice) and opens /ui/. */
  private async pick(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal | undefined,
  ): Promise<void> {
    const raw = await readBody(req, 4096).catch(() => Buffer.alloc(0));
    const choice = new URLSearchParams(raw.toString('utf8')).get('cluster') ?? '';
    const b = choice === 'routing' ? this.pins.routed(principal) : this.pins.usable(choice, principal);
    if (!b)
      return htmlPage(
        res,
        400,
        'Unknown cluster',
        'That cluster is not one you may use. Choose again.',
        `<p><a href="${CLUSTERS_PATH}">Back to the clusters</a></p>`,
      );
    res.writeHead(303, {
      location: `${this.cx.prefix}/ui/`,
      'set-cookie': pinCookie(this.pins.handle(b), this.o.secureCookies, this.cx.prefix),
      'cache-control': 'no-store',
    });
    res.end();
  }

  private logout(res: ServerResponse): void {
    const p = this.cx.prefix;
    htmlPage(
      res,
      200,
      'Signed out',
      'You are signed out of the web UI at this gateway.',
      `<p><a href="${p}/ui/">Open the web UI again</a></p>`,
      {
        'set-cookie': [
          tokenCookie('', this.o.secureCookies, p, 0),
          `${pinCookie('', this.o.secureCookies, p)}; Max-Age=0`,
        ],
      },
    );
  }
}

/** isNavigation tells a browser opening a page (which may get a page back) from the UI's API calls. */
function isNavigation(req: IncomingMessage): boolean {
  const path = (req.url ?? '').split('?')[0];
  return (
    req.method === 'GET' &&
    !path.startsWith('/ui/api/') &&
    /text\/html/.test(String(req.headers.accept ?? ''))
  );
}
