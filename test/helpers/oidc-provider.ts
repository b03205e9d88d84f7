import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

/** A user the provider knows: any password signs them in (the provider's development login form). */
export interface IdpUser {
  sub: string;
  groups?: string[];
  roles?: string[];
}

export interface IdpOptions {
  users: IdpUser[];
  /** Seconds an access token lives (the gateway's token expires with it). Default 3600. */
  accessTokenTtl?: number;
  /** Issue refresh tokens. Default true. */
  refreshTokens?: boolean;
}

/**
 * How the provider answers: normally, by dropping every connection, after a delay, or dropping only the
 * requests to one path (e.g. the token endpoint, as an outage between the sign-in and the callback).
 */
export type IdpMode = 'up' | 'down' | { slowMs: number } | { dropPath: string; status?: number };

export interface TestIdp {
  issuer: string;
  /** Adds a client (e.g. the gateway, once its callback URL is known). */
  addClient(c: {
    clientId: string;
    clientSecret: string;
    redirectUris: string[];
    /** PKCE required of this client. Default true; a Trino cluster's client sends none (NimbusOAuth2Client). */
    pkce?: boolean;
  }): void;
  setMode(m: IdpMode): void;
  /** Signs arbitrary claims with the provider's own signing key (for wrong-audience/issuer/expired tokens). */
  sign(claims: JWTPayload, o?: { issuer?: string; audience?: string; expiresIn?: number }): Promise<string>;
  /** Requests the provider answered, by path (never with query strings). */
  paths: string[];
  stop(): Promise<void>;
}

type Stored = { payload: Record<string, unknown>; expiresAt?: number };

/** A memory adapter, so clients can be added after the provider started (the gateway's port comes later). */
function memoryAdapter(store: Map<string, Stored>) {
  return class MemoryAdapter {
    constructor(private readonly model: string) {}
    private k = (id: string) => `${this.model}:${id}`;
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      store.set(this.k(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (payload.grantId) store.set(`grant:${String(payload.grantId)}:${this.k(id)}`, { payload: { id } });
      if (payload.uid) store.set(`uid:${String(payload.uid)}`, { payload: { id: this.k(id) } });
    }
    async find(id: string) {
      const s = store.get(this.k(id));
      if (!s || (s.expiresAt && s.expiresAt < Date.now())) return undefined;
      return s.payload;
    }
    async findByUid(uid: string) {
      const ref = store.get(`uid:${uid}`);
      return ref ? store.get(String(ref.payload.id))?.payload : undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const s = store.get(this.k(id));
      if (s) s.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.k(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const key of [...store.keys()])
        if (key.startsWith(`grant:${grantId}:`)) {
          store.delete(key.slice(`grant:${grantId}:`.length));
          store.delete(key);
        }
    }
  };
}

/**
 * startIdp starts a real OpenID provider (npm oidc-provider) on 127.0.0.1 with RS256 keys, its development
 * login form (any password), grants given without a consent screen, groups and roles in ID tokens, and
 * refresh tokens for clients allowed the grant.
 */
export async function startIdp(o: IdpOptions): Promise<TestIdp> {
  let mode: IdpMode = 'up';
  let handler: http.RequestListener = (_q, r) => r.end();
  const paths: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    paths.push((req.url ?? '').split('?')[0]);
    if (mode === 'down') return req.socket.destroy();
    if (typeof mode === 'object' && 'dropPath' in mode)
      if (!req.url?.startsWith(mode.dropPath)) return handler(req, res);
      else if (mode.status)
        return void res.writeHead(mode.status, { 'content-type': 'text/html' }).end('<h1>oops</h1>');
      else return req.socket.destroy();
    if (typeof mode === 'object') return void setTimeout(() => handler(req, res), mode.slowMs);
    handler(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const store = new Map<string, Stored>();
  const users = new Map(o.users.map((u) => [u.sub, u]));
  const withoutPkce = new Set<string>();
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(store) as never,
    jwks: { keys: [jwk] },
    cookies: { keys: ['a-test-cookie-key-of-some-length'] },
    claims: { openid: ['sub', 'groups', 'roles'] },
    conformIdTokenClaims: false,
    pkce: { required: (_ctx: unknown, client: { clientId: string }) => !withoutPkce.has(client.clientId) },
    ttl: {
      AccessToken: o.accessTokenTtl ?? 3600,
      IdToken: o.accessTokenTtl ?? 3600,
      Interaction: 600,
      Grant: 3600,
      Session: 3600,
      RefreshToken: 3600,
    },
    findAccount: (_ctx: unknown, sub: string) => {
      const u = users.get(sub) ?? { sub };
      return { accountId: sub, claims: () => ({ sub, groups: u.groups ?? [], roles: u.roles ?? [] }) };
    },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) =>
      o.refreshTokens !== false && client.grantTypeAllowed('refresh_token'),
    loadExistingGrant: async (ctx: any) => {
      const session = ctx.oidc.session;
      if (!session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
      grant.addOIDCClaims(['sub', 'groups', 'roles']);
      await grant.save();
      return grant;
    },
  } as never);
  handler = provider.callback() as http.RequestListener;
  return {
    issuer,
    paths,
    addClient(c) {
      if (c.pkce === false) withoutPkce.add(c.clientId);
      store.set(`Client:${c.clientId}`, {
        payload: {
          client_id: c.clientId,
          client_secret: c.clientSecret,
          redirect_uris: c.redirectUris,
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      });
    },
    setMode(m) {
      mode = m;
    },
    sign(claims, s = {}) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(s.issuer ?? issuer)
        .setAudience(s.audience ?? 'switchyard')
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + (s.expiresIn ?? 600))
        .sign(privateKey);
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
