/**
 * A test client that follows Trino's external authentication exactly as the JDBC driver and CLI do
 * (io.trino.client.auth.external: ExternalAuthenticator, ExternalAuthentication, HttpTokenPoller), since no
 * npm client implements it:
 * 1. a 401's challenges are read (RFC 7235, several per header, as OkHttp's Response.challenges());
 *    the first Bearer challenge naming x_token_server wins; none → no external authentication;
 * 2. x_redirect_server, when present, is handed to the redirect handler (the "browser");
 * 3. the token server is polled: 200 with `token` → done, `error` → failure, `nextUri` → poll that next;
 *    502/503/504 and I/O errors are retried with a 100–500 ms backoff until the timeout; any other status
 *    is a failure;
 * 4. on success the token URI gets a DELETE (HttpTokenPoller.tokenReceived), and the request is sent again
 *    with `Authorization: Bearer {token}`.
 */

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/**
 * parseChallenges reads WWW-Authenticate values into challenges as OkHttp does: a scheme token, then
 * auth-params `name=value` (token or quoted string) separated by commas; after a comma, a token followed by
 * `=` is another param of the same challenge, anything else starts the next challenge.
 */
export function parseChallenges(values: string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const v of values) {
    let i = 0;
    const ws = () => {
      while (v[i] === ' ' || v[i] === '\t') i++;
    };
    const token = (): string | undefined => {
      TOKEN.lastIndex = i;
      const m = TOKEN.exec(v);
      if (!m) return undefined;
      i += m[0].length;
      return m[0];
    };
    const value = (): string => {
      if (v[i] !== '"') return token() ?? '';
      let s = '';
      for (i++; i < v.length && v[i] !== '"'; i++) s += v[i] === '\\' ? v[++i] : v[i];
      i++;
      return s;
    };
    let current: Challenge | undefined;
    while (i < v.length) {
      ws();
      if (v[i] === ',') {
        i++;
        continue;
      }
      const start = i;
      const name = token();
      if (!name) break;
      ws();
      if (current && v[i] === '=' && v[i + 1] !== '=') {
        i++;
        ws();
        current.params[name.toLowerCase()] = value();
        continue;
      }
      i = start + name.length;
      current = { scheme: name, params: {} };
      out.push(current);
    }
  }
  return out;
}

const RETRY = new Set([502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ExternalAuthOptions {
  /** The redirect handler: opens x_redirect_server (the test drives Chromium there). Not awaited, as Java's. */
  redirectTo: (url: string) => void;
  /** ExternalAuthentication's timeout. Default 30 s. */
  timeoutMs?: number;
  /** Every token-server request made, for assertions. */
  log?: Array<{ method: string; url: string; status: number }>;
}

/** obtainToken runs steps 1–4 on a 401 response; undefined when it carries no external-auth challenge. */
export async function obtainToken(res: Response, o: ExternalAuthOptions): Promise<string | undefined> {
  const values = headerValues(res.headers, 'www-authenticate');
  const bearer = parseChallenges(values).find(
    (c) => c.scheme.toLowerCase() === 'bearer' && c.params.x_token_server !== undefined,
  );
  if (!bearer) return undefined;
  if (bearer.params.x_redirect_server !== undefined)
    o.redirectTo(new URL(bearer.params.x_redirect_server).href);
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  let current = new URL(bearer.params.x_token_server).href;
  for (;;) {
    if (Date.now() > deadline) return undefined;
    const r = await pollForToken(current, deadline, o);
    if ('error' in r) throw new Error(r.error);
    if ('nextUri' in r) {
      current = r.nextUri;
      continue;
    }
    await tokenReceived(current, o);
    return r.token;
  }
}

async function pollForToken(
  uri: string,
  deadline: number,
  o: ExternalAuthOptions,
): Promise<{ token: string } | { nextUri: string } | { error: string }> {
  let backoff = 100;
  for (;;) {
    let res: Response;
    try {
      res = await fetch(uri, { headers: { 'user-agent': 'TrinoTokenPoller/test' } });
    } catch (e) {
      if (Date.now() + backoff > deadline) throw e;
      await sleep(backoff);
      backoff = Math.min(500, backoff * 2);
      continue;
    }
    const text = await res.text();
    o.log?.push({ method: 'GET', url: uri, status: res.status });
    if (res.status === 200) {
      try {
        const v = JSON.parse(text) as { token?: string; nextUri?: string; error?: string };
        if (v.token != null) return { token: v.token };
        if (v.error != null) return { error: v.error };
        if (v.nextUri != null) return { nextUri: new URL(v.nextUri).href };
        return { error: 'Failed to poll for token. No fields set in response.' };
      } catch {
        // A 200 that is not the JSON expected is a failure (JsonResponse.hasValue() is false).
      }
    }
    const message = `Request to ${uri} failed: ${res.status} [Error: ${text}]`;
    if (!RETRY.has(res.status) || Date.now() + backoff > deadline) return { error: message };
    await sleep(backoff);
    backoff = Math.min(500, backoff * 2);
  }
}

async function tokenReceived(uri: string, o: ExternalAuthOptions): Promise<void> {
  const res = await fetch(uri, { method: 'DELETE', headers: { 'user-agent': 'TrinoTokenPoller/test' } });
  await res.arrayBuffer();
  o.log?.push({ method: 'DELETE', url: uri, status: res.status });
}

function headerValues(h: Headers, name: string): string[] {
  // fetch joins repeated headers with ", ", which RFC 7235 challenge lists survive.
  const v = h.get(name);
  return v ? [v] : [];
}
