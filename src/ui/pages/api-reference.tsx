import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ConsoleApp } from '../console-app.js';
import { Layout } from '../layout.js';
import { SCRIPT } from '../styles.js';

/** Swagger UI's files, from the swagger-ui-dist package: served by the gateway, nothing from a CDN. */
const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
};

/** Starts Swagger UI on this page's document; no validator badge (it would call validator.swagger.io). */
const INIT = `window.addEventListener('load',function(){window.ui=SwaggerUIBundle({url:'/console/api/openapi.json',dom_id:'#swagger-ui',deepLinking:true,validatorUrl:null,presets:[SwaggerUIBundle.presets.apis],layout:'BaseLayout'})});`;

/**
 * The reference page may load this origin's scripts and styles (Swagger UI's bundle) and call this
 * origin's API ("Try it out", with the credentials typed into its Authorize dialog); nothing else.
 */
export const API_PAGE_CSP =
  `default-src 'none'; script-src 'self' 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'; ` +
  "style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The interactive API reference: Swagger UI over the gateway's own OpenAPI document, offline. */
export function registerApiReference(app: ConsoleApp, openApi: () => Promise<object>): void {
  const cache = new Map<string, Buffer>();
  app.get('/console/api', (c) => {
    c.header('Content-Security-Policy', API_PAGE_CSP);
    return c.html(
      <Layout ctx={c.get('ctx')} title="API reference" section="api">
        <link rel="stylesheet" href="/console/api/assets/swagger-ui.css" />
        <p class="muted small">
          Every admin, history, catalog and compatibility route, generated from the code. "Try it out" calls
          this gateway with the credentials you give under Authorize (an admin's Basic password or bearer
          token; the console's session does not reach the API). The document itself:{' '}
          <a href="/console/api/openapi.json">openapi.json</a>.
        </p>
        <section class="card scroll" id="swagger-ui"></section>
        <script src="/console/api/assets/swagger-ui-bundle.js"></script>
        <script src="/console/api/assets/init.js"></script>
      </Layout>,
    );
  });
  app.get('/console/api/openapi.json', async (c) => c.json(await openApi()));
  app.get('/console/api/assets/:file', async (c) => {
    const file = c.req.param('file');
    c.header('Content-Security-Policy', API_PAGE_CSP);
    if (file === 'init.js') return c.body(INIT, 200, { 'content-type': ASSETS['swagger-ui-bundle.js'] });
    const type = ASSETS[file];
    if (!type) return c.json({ message: `no asset ${file.slice(0, 100)}` }, 404);
    let body = cache.get(file);
    if (!body) cache.set(file, (body = await readFile(join(DIST, file))));
    return c.body(new Uint8Array(body), 200, {
      'content-type': type,
      'cache-control': 'private, max-age=3600',
    });
  });
}
