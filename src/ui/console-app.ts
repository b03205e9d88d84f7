import type { IncomingMessage } from 'node:http';
import { clientAddress as requestClientAddress, forwardedProto } from '../observability/client-address.js';
import type { Context, Hono } from 'hono';
import type { ConsoleDeps, ConsoleUser } from './console-deps.js';
import type { PageCtx } from './layout.js';
import type { Session, SessionCodec } from './session.js';

/** Request variables the console's auth middleware sets for every signed-in page. */
export type ConsoleEnv = {
  Variables: { ctx: PageCtx; session: Session; user: ConsoleUser; form: Form };
};

export type ConsoleApp = Hono<ConsoleEnv>;
export type ConsoleContext = Context<ConsoleEnv>;

/** What the console's page modules share: the deps and the session codec. */
export interface ConsoleKit {
  deps: ConsoleDeps;
  sessions: SessionCodec;
  now: () => number;
}

/** A parsed urlencoded form: single string values only (files and repeats are ignored). */
export type Form = Readonly<Record<string, string>>;

export const SESSION_COOKIE = 'sy_console';
export const LOGIN_COOKIE = 'sy_login';
/** Largest form body accepted; catalog properties are the biggest thing anyone types. */
export const MAX_FORM_BYTES = 64 * 1024;

/** readForm parses a POST body as a form; anything that is not a plain string value is dropped. */
export async function readForm(c: Context): Promise<Form> {
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) return {};
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody();
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** clientAddress is the client address of the request (see server.trustedProxies), for failed-login limiting. */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming ? requestClientAddress(incoming) || 'unknown' : 'unknown';
}

/** proxiedHttps tells whether a trusted proxy in front reported the client's request as https. */
function proxiedHttps(c: Context): boolean {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return !!incoming && forwardedProto(incoming) === 'https';
}

/** safeNext keeps a post-login redirect inside the console (no open redirect). */
export function safeNext(next: string | undefined): string {
  return next && /^\/console(?:[/?][^\\]*)?$/.test(next) && !next.startsWith('//') ? next : '/console';
}

export function cookieOptions(c: Context, deps: ConsoleDeps, maxAgeSeconds: number) {
  return {
    path: '/console',
    httpOnly: true,
    sameSite: 'Strict' as const,
    secure: deps.secureCookies ?? (new URL(c.req.url).protocol === 'https:' || proxiedHttps(c)),
    maxAge: maxAgeSeconds,
  };
}
