import { createHash } from 'node:crypto';
import type { Backend } from '../backends/backend.js';

/**
 * Cluster cookies through one gateway origin. Every cluster names its cookies alike (Trino-UI-Token,
 * __Secure-Trino-OAuth2-Token, __Secure-Trino-Nonce), and the browser sees one origin: passed on as they
 * are, two clusters' UI sessions would overwrite each other. So each cluster's cookie names get a tag of
 * their own on the way out (the `__Secure-`/`__Host-` prefix kept first, so the browser keeps enforcing it),
 * Domain is dropped (the cookie belongs to the gateway's host), Path is put under the gateway's path prefix;
 * on the way in a cluster gets only its own cookies, under their own names: never another cluster's, never
 * the gateway's (its sessions and pins), never one a client made up.
 */

/** Cookie-name prefixes a browser enforces (RFC 6265bis §4.1.3): they must stay first. */
const ENFORCED = /^(__Secure-|__Host-)/i;

/** tagOf is a backend's cookie tag: short, cookie-name safe, the same on every replica. */
export function tagOf(b: Backend): string {
  return `sy${createHash('sha256').update(b.name).digest('hex').slice(0, 8)}-`;
}

/** outgoingName is the name the browser keeps a cluster's cookie under. */
function outgoingName(name: string, tag: string): string {
  const m = ENFORCED.exec(name);
  return m ? `${m[1]}${tag}${name.slice(m[1].length)}` : `${tag}${name}`;
}

/**
 * rewriteSetCookie renames one Set-Cookie line of backend b for the browser, or returns undefined to drop
 * it (a name that is not a cookie-name token). `prefix` is the path of the gateway's public URL.
 */
export function rewriteSetCookie(line: string, b: Backend, prefix: string): string | undefined {
  const parts = line.split(';');
  const eq = parts[0].indexOf('=');
  const name = eq > 0 ? parts[0].slice(0, eq).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return undefined;
  const out = [`${outgoingName(name, tagOf(b))}=${parts[0].slice(eq + 1).trim()}`];
  let hasPath = false;
  for (const attr of parts.slice(1)) {
    const a = attr.trim();
    const key = a.split('=')[0].trim().toLowerCase();
    if (key === 'domain' || a === '') continue;
    if (key === 'path') {
      hasPath = true;
      const p = a.slice(a.indexOf('=') + 1).trim();
      out.push(`Path=${prefix}${p.startsWith('/') ? p : '/'}`);
      continue;
    }
    out.push(a);
  }
  if (!hasPath && prefix) out.push(`Path=${prefix}/`);
  return out.join('; ');
}

/** rewriteSetCookies applies rewriteSetCookie to a response's Set-Cookie header value(s). */
export function rewriteSetCookies(
  v: string | string[] | number | undefined,
  b: Backend,
  prefix: string,
): string[] | undefined {
  if (v === undefined) return undefined;
  const lines = Array.isArray(v) ? v : [String(v)];
  const kept = lines.map((l) => rewriteSetCookie(l, b, prefix)).filter((l): l is string => !!l);
  return kept.length ? kept : undefined;
}

/**
 * incomingCookies is the Cookie header backend b gets: its own cookies, renamed back; undefined when it
 * has none (the header is then not sent).
 */
export function incomingCookies(header: string | undefined, b: Backend): string | undefined {
  if (!header) return undefined;
  const tag = tagOf(b);
  const kept: string[] = [];
  for (const part of header.split(';')) {
    const c = part.trim();
    const eq = c.indexOf('=');
    if (eq <= 0) continue;
    const name = c.slice(0, eq);
    const m = ENFORCED.exec(name);
    const rest = m ? name.slice(m[1].length) : name;
    if (!rest.startsWith(tag)) continue;
    kept.push(`${m ? m[1] : ''}${rest.slice(tag.length)}=${c.slice(eq + 1)}`);
  }
  return kept.length ? kept.join('; ') : undefined;
}
