import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { CSS, SCRIPT } from './styles.js';

/** What every signed-in page knows: who is looking, the form token, and which pages exist. */
export interface PageCtx {
  user: string;
  csrf: string;
  hasCatalogs: boolean;
  hasRules: boolean;
  hasApi: boolean;
  /** Some routing group has a queue (groups[].queue): the Queue page exists. */
  hasQueue: boolean;
}

export type Section = 'dashboard' | 'backends' | 'queries' | 'queue' | 'catalogs' | 'rules' | 'api';

/** CsrfField is the hidden token every state-changing form carries. */
export const CsrfField = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

/** Document is the bare HTML shell: inline CSS and the one inline script, nothing fetched from elsewhere. */
export function Document(props: { title: string; refreshSeconds?: number; children?: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light" />
          {props.refreshSeconds ? <meta http-equiv="refresh" content={String(props.refreshSeconds)} /> : null}
          <title>{`${props.title} · Switchyard`}</title>
          <link rel="icon" href="data:," />
          <style dangerouslySetInnerHTML={{ __html: CSS }} />
        </head>
        <body>
          {props.children}
          <script dangerouslySetInnerHTML={{ __html: SCRIPT }} />
        </body>
      </html>
    </>
  );
}

const NAV: Array<{ id: Section; label: string; href: string; show?: (c: PageCtx) => boolean }> = [
  { id: 'dashboard', label: 'Dashboard', href: '/console' },
  { id: 'backends', label: 'Backends', href: '/console/backends' },
  { id: 'queries', label: 'Queries', href: '/console/queries' },
  { id: 'queue', label: 'Queue', href: '/console/queue', show: (c) => c.hasQueue },
  { id: 'catalogs', label: 'Catalogs', href: '/console/catalogs', show: (c) => c.hasCatalogs },
  { id: 'rules', label: 'Routing rules', href: '/console/rules', show: (c) => c.hasRules },
  { id: 'api', label: 'API', href: '/console/api', show: (c) => c.hasApi },
];

/** Layout is a signed-in page: top bar with navigation and the sign-out button, then the content. */
export function Layout(props: {
  ctx: PageCtx;
  title: string;
  section?: Section;
  refreshSeconds?: number;
  children?: Child;
}) {
  const { ctx } = props;
  return (
    <Document title={props.title} refreshSeconds={props.refreshSeconds}>
      <header class="top">
        <a class="brand" href="/console">
          Switchyard
        </a>
        <nav>
          {NAV.filter((n) => !n.show || n.show(ctx)).map((n) => (
            <a href={n.href} aria-current={n.id === props.section ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <form class="who" method="post" action="/console/logout">
          <span>{ctx.user}</span>
          <CsrfField token={ctx.csrf} />
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}

/** Message shows an outcome or an error above a page's content. */
export function Message(props: { kind: 'error' | 'info'; children?: Child }) {
  return (
    <div class={`msg ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

/** ErrorPage is a plain page for refusals (400, 403, 404, 413, 429) with a way back. */
export function ErrorPage(props: { status: number; title: string; message: string; ctx?: PageCtx }) {
  const body = (
    <div class="card">
      <p>{props.message}</p>
      <p class="row">
        <a class="button" href="/console">
          Back to the console
        </a>
        {props.ctx ? null : (
          <a class="button" href="/console/login">
            Sign in
          </a>
        )}
      </p>
    </div>
  );
  if (props.ctx)
    return (
      <Layout ctx={props.ctx} title={props.title}>
        {body}
      </Layout>
    );
  return (
    <Document title={props.title}>
      <main class="login">
        <h1>{props.title}</h1>
        {body}
      </main>
    </Document>
  );
}

/** Cell is a table cell that, on a phone, stacks as "label: value" (the label comes from the header). */
export function Cell(props: { label: string; class?: string; children?: Child }) {
  return (
    <td data-label={props.label} class={props.class}>
      <div>{props.children}</div>
    </td>
  );
}
