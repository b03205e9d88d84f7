import type { ServerResponse } from 'node:http';

/** escapeHtml makes text safe inside HTML text and double-quoted attributes. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * htmlPage answers a browser on /ui or /oauth2 with a small readable page (the gateway's own: errors, the
 * cluster picker, the sign-in choice): no scripts, never framed or cached, no referrer. `body` is HTML the
 * caller built from escaped parts; `message` is text.
 */
export function htmlPage(
  res: ServerResponse,
  status: number,
  title: string,
  message: string,
  body = '',
  headers: Record<string, string | string[]> = {},
): void {
  if (res.headersSent) return void res.destroy();
  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)} · Switchyard</title><link rel="icon" href="data:,"><style>` +
    `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}` +
    `h1{font-size:1.4rem}.card{border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem}` +
    `button{font:inherit;padding:.3rem .8rem;margin:.2rem 0}li{margin:.4rem 0}textarea{width:100%}</style></head>` +
    `<body><main><h1>${escapeHtml(title)}</h1><div class="card"><p>${escapeHtml(message)}</p>${body}</div></main></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    // No form-action: Chromium applies it to the redirects after a submit, and picking a cluster whose UI
    // signs in with OAuth2 ends at the cluster's IdP.
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(html);
}
