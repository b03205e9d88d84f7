import { Agent, type Dispatcher } from 'undici';

/** Where the admin CLI talks to and as whom, read once from the environment. */
export interface AdminTarget {
  url: string;
  authorization?: string;
  dispatcher?: Dispatcher;
}

/** A refusal or failure the CLI reports as one line (and exit 1). */
export class AdminCallError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AdminCallError';
  }
}

/**
 * targetFromEnv: SWITCHYARD_URL (default http://localhost:8080); SWITCHYARD_TOKEN (a bearer token) or
 * SWITCHYARD_USER with SWITCHYARD_PASSWORD (HTTP Basic); SWITCHYARD_INSECURE=1 accepts any certificate
 * (a self-signed test gateway). Credentials never come from the command line, where `ps` would show them.
 */
export function targetFromEnv(env: NodeJS.ProcessEnv): AdminTarget {
  const url = (env.SWITCHYARD_URL || 'http://localhost:8080').replace(/\/+$/, '');
  try {
    new URL(url);
  } catch {
    throw new AdminCallError(`SWITCHYARD_URL: not a URL: ${url}`);
  }
  const authorization = env.SWITCHYARD_TOKEN
    ? `Bearer ${env.SWITCHYARD_TOKEN}`
    : env.SWITCHYARD_USER
      ? `Basic ${Buffer.from(`${env.SWITCHYARD_USER}:${env.SWITCHYARD_PASSWORD ?? ''}`).toString('base64')}`
      : undefined;
  const dispatcher =
    env.SWITCHYARD_INSECURE === '1' ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined;
  return { url, authorization, dispatcher };
}

/**
 * call sends one request to the gateway's REST API and returns its JSON. Answers of 400 and above become
 * an AdminCallError carrying the API's own message (it names what was wrong). 207 (some backends failed)
 * is returned: the caller shows each backend's outcome.
 */
export async function call(t: AdminTarget, method: string, path: string, body?: unknown): Promise<any> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (t.authorization) headers.authorization = t.authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${t.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
      ...(t.dispatcher ? { dispatcher: t.dispatcher } : {}),
    } as RequestInit);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new AdminCallError(`${t.url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status >= 400) {
    const hint =
      res.status === 401
        ? ' (set SWITCHYARD_USER and SWITCHYARD_PASSWORD, or SWITCHYARD_TOKEN)'
        : res.status === 403
          ? ' (the admin role is required)'
          : '';
    throw new AdminCallError(
      `${method} ${path}: ${res.status} ${json?.message ?? text.slice(0, 200)}${hint}`,
      res.status,
    );
  }
  return json;
}
