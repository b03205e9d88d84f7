import type { Context } from 'hono';
import { GatewayError } from '../trino/errors.js';

const escape = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * page answers a browser step of a sign-in with a small readable page: no scripts, nothing framed, never
 * cached, and no referrer (the callback URL holds a code until it is used).
 */
export function page(c: Context, status: number, title: string, message: string): Response {
  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escape(title)} · Switchyard</title><link rel="icon" href="data:,"><style>` +
    `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}` +
    `h1{font-size:1.4rem}.card{border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem}</style></head>` +
    `<body><main><h1>${escape(title)}</h1><div class="card"><p>${escape(message)}</p></div></main></body></html>`;
  return c.body(html, status as 200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
  });
}

/** trinoError answers a client step (the token server) in Trino's error JSON. */
export function trinoError(c: Context, status: number, name: string, message: string): Response {
  const body = new GatewayError(status, name, message).body();
  return c.body(JSON.stringify(body), status as 200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
}

/** logPath hides a token-server id (the client's secret for collecting its token) from request logs. */
export const logPath = (path: string): string =>
  path.startsWith('/oidc/token/') && !path.startsWith('/oidc/token/initiate/') ? '/oidc/token/{id}' : path;
