/**
 * OIDC poll benchmark: what authenticating one poll costs with a cached OIDC token (the gateway's own
 * token, a JWE, as Trino clients hold after external authentication) against a cached JWT (HS256, auth.jwt)
 * and a cached Basic credential. In-process, no HTTP: the authenticator a poll runs (src/auth/auth-chain.ts),
 * on the headers node:http hands it. Run with: npx tsx bench/oidc-poll-bench.ts [iterations]
 *
 * Each chain is built as the gateway builds it; the first call of each token pays its verification (JWE
 * decryption, HMAC, scrypt) and fills the cache, and every timed call is a cache hit, as a polling client's
 * are. Timed in batches of 100 with process.hrtime.bigint(); p50/p99 over batches, per call. The OIDC
 * chains never reach an IdP (the gateway's token is opened with the gateway's own key). Printed, never
 * asserted; the target is "a poll with a cached OIDC token costs what one with a cached JWT costs".
 */
import { SignJWT } from 'jose';
import { createAuthenticator, type GatewayAuthenticator } from '../src/auth/auth-chain.js';
import { authConfigSchema } from '../src/auth/auth-config.js';
import { hashPassword } from '../src/auth/password-hash.js';
import { createOidc } from '../src/auth/oidc-service.js';
import { userDirectory } from '../test/helpers/user-directory.js';
import { silentLogger } from '../src/observability/logger.js';
import { Metrics } from '../src/observability/metrics.js';

const iterations = Number(process.argv[2] ?? 200_000);
const BATCH = 100;
const SECRET = 'bench-shared-secret-of-32-chars!!';
const OIDC = { issuer: 'https://idp.example.com', clientId: 'switchyard', clientSecret: 'bench-secret' };

const users = userDirectory([
  { name: 'alice', passwordHash: await hashPassword('alice-pw'), groups: ['*'], roles: ['user'] },
]);
const deps = () => ({ users, metrics: new Metrics(), logger: silentLogger(), baseDir: process.cwd() });
const jwtSection = {
  enabled: true,
  secret: SECRET,
  algorithms: ['HS256'],
  issuer: 'idp',
  audience: 'switchyard',
};

const jwtOnly = createAuthenticator(authConfigSchema.parse({ mode: 'password', jwt: jwtSection }), deps());
const oidcCfg = authConfigSchema.parse({ mode: 'password', oidc: OIDC });
const oidc = createOidc(oidcCfg.oidc!, {
  publicUrl: 'https://gw.example.com',
  secret: SECRET,
  logger: silentLogger(),
});
const oidcOnly = createAuthenticator(oidcCfg, { ...deps(), oidc: oidc.authenticator });
const bothCfg = authConfigSchema.parse({ mode: 'password', jwt: jwtSection, oidc: OIDC });
const both = createAuthenticator(bothCfg, { ...deps(), oidc: oidc.authenticator });

const jwt = await new SignJWT({ groups: ['*'] })
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject('alice')
  .setIssuer('idp')
  .setAudience('switchyard')
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(new TextEncoder().encode(SECRET));
const gatewayToken = await oidc.codec.seal({
  name: 'alice',
  groups: ['*'],
  roles: ['user'],
  refreshToken: 'r'.repeat(43),
  exp: Math.floor(Date.now() / 1000) + 3600,
});

/** A poll's headers as node:http builds them (the bench of bench/auth-routing-bench.ts uses the same). */
const poll = (authorization: string) => ({
  headers: {
    host: 'gw.example.com',
    'user-agent': 'Trino JDBC Driver/476',
    'x-trino-user': 'alice',
    'x-trino-source': 'jdbc',
    authorization,
  },
  remoteAddress: '10.0.0.7',
});

const pct = (s: Float64Array, p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))];
let sink = 0;

async function measure(name: string, auth: GatewayAuthenticator, authorization: string) {
  const req = poll(authorization);
  const first = await auth.authenticate(req);
  if (!first.ok) throw new Error(`${name}: ${first.message}`);
  for (let i = 0; i < 20_000; i++) {
    const r = auth.authenticate(req);
    if (r instanceof Promise) throw new Error(`${name}: a cached poll must not wait for a promise`);
  }
  const batches = Math.ceil(iterations / BATCH);
  const per = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) if ((auth.authenticate(req) as { ok: boolean }).ok) sink++;
    per[b] = Number(process.hrtime.bigint() - t0) / BATCH;
  }
  per.sort();
  return { name, p50: pct(per, 0.5), p99: pct(per, 0.99), tokenBytes: authorization.length - 7 };
}

const rows = [];
// Interleaved twice, so a drift of the machine shows as a difference between the two rounds.
for (let round = 0; round < 2; round++) {
  rows.push(await measure('JWT HS256 (auth.jwt), cached', jwtOnly, `Bearer ${jwt}`));
  rows.push(await measure('OIDC gateway token (JWE), cached', oidcOnly, `Bearer ${gatewayToken}`));
  rows.push(await measure('OIDC token with auth.jwt on too', both, `Bearer ${gatewayToken}`));
  rows.push(
    await measure('Basic, cached', oidcOnly, `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`),
  );
}
// The first use of a token: decrypting and checking the JWE (what a cache miss costs, once a minute per token).
const fresh = await Promise.all(
  Array.from({ length: 2000 }, (_, i) =>
    oidc.codec.seal({
      name: `u${i}`,
      groups: ['*'],
      roles: ['user'],
      exp: Math.floor(Date.now() / 1000) + 3600,
    }),
  ),
);
const misses = new Float64Array(fresh.length);
for (let i = 0; i < fresh.length; i++) {
  const t0 = process.hrtime.bigint();
  if ((await oidc.codec.open(fresh[i])).ok) sink++;
  misses[i] = Number(process.hrtime.bigint() - t0);
}
misses.sort();
console.log(`node ${process.version}, ${iterations} polls per row, ns per authenticate() call`);
console.log('| round | authenticator | token bytes | p50 ns | p99 ns |');
console.log('|---|---|---:|---:|---:|');
rows.forEach((r, i) =>
  console.log(
    `| ${i < 4 ? 1 : 2} | ${r.name} | ${r.tokenBytes} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} |`,
  ),
);
console.log(
  `OIDC token, first use (JWE decrypt + claim checks): p50 ${(pct(misses, 0.5) / 1000).toFixed(1)} µs, p99 ${(pct(misses, 0.99) / 1000).toFixed(1)} µs`,
);
if (sink === 0) console.log('(no call succeeded)');
