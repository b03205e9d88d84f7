import { describe, expect, it } from 'vitest';
import { Document, ErrorPage, Layout, Message, type PageCtx } from '../../src/ui/layout.js';

const ctx: PageCtx = {
  user: 'ops',
  csrf: 'token-123',
  hasCatalogs: false,
  hasRules: false,
  hasApi: false,
  hasQueue: false,
};

const html = async (el: unknown) => String(await (el as { toString(): unknown }).toString());
const nav = (page: string) => [...page.matchAll(/<nav>(.*?)<\/nav>/gs)][0][1];
const links = (page: string) => [...nav(page).matchAll(/href="([^"]+)"/g)].map((m) => m[1]);

describe('Layout', () => {
  it('shows only the pages that exist, marks the current one, and signs out with the form token', async () => {
    const page = await html(Layout({ ctx, title: 'Backends', section: 'backends' }));
    expect(links(page)).toEqual(['/console', '/console/backends', '/console/queries']);
    expect(nav(page)).toMatch(/<a href="\/console\/backends" aria-current="page">Backends<\/a>/);
    expect(page).toMatch(/<form class="who" method="post" action="\/console\/logout">/);
    expect(page).toContain('<input type="hidden" name="_csrf" value="token-123"/>');
    expect(page).toContain('<title>Backends · Switchyard</title>');
    expect(page).toContain('<h1>Backends</h1>');
  });

  it('lists the queue, catalogs, rules and API pages when the gateway has them', async () => {
    const all = { ...ctx, hasQueue: true, hasCatalogs: true, hasRules: true, hasApi: true };
    expect(links(await html(Layout({ ctx: all, title: 'x' })))).toEqual([
      '/console',
      '/console/backends',
      '/console/queries',
      '/console/queue',
      '/console/catalogs',
      '/console/rules',
      '/console/api',
    ]);
  });

  it('escapes the user name and the title', async () => {
    const page = await html(Layout({ ctx: { ...ctx, user: '<script>x</script>' }, title: 'a<b' }));
    expect(page).not.toContain('<script>x</script>');
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).toContain('<h1>a&lt;b</h1>');
  });
});

describe('Document', () => {
  it('is a whole page that fetches nothing from elsewhere, refreshing only when asked', async () => {
    const page = await html(Document({ title: 'T' }));
    expect(page.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
    expect(page).not.toContain('http-equiv="refresh"');
    expect(page).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
    expect(await html(Document({ title: 'T', refreshSeconds: 15 }))).toContain(
      '<meta http-equiv="refresh" content="15"/>',
    );
  });
});

describe('Message and ErrorPage', () => {
  it('marks an error as an alert and an outcome as a status', async () => {
    expect(await html(Message({ kind: 'error', children: 'bad' }))).toBe(
      '<div class="msg error" role="alert">bad</div>',
    );
    expect(await html(Message({ kind: 'info', children: 'ok' }))).toBe(
      '<div class="msg info" role="status">ok</div>',
    );
  });

  it('offers sign-in to a visitor, and the console layout to a signed-in user', async () => {
    const visitor = await html(ErrorPage({ status: 404, title: 'Not found', message: 'No such page' }));
    expect(visitor).toContain('href="/console/login"');
    expect(visitor).not.toContain('<nav>');
    const signed = await html(ErrorPage({ status: 404, title: 'Not found', message: 'No such page', ctx }));
    expect(signed).not.toContain('href="/console/login"');
    expect(signed).toContain('<nav>');
    expect(signed).toContain('<p>No such page</p>');
  });
});
