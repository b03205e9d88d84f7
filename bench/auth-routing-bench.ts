/**
 * Authentication + routing benchmark: what a new query costs before it is forwarded — authenticate
 * (a cached Basic credential), buildRequestFacts, then chooseGroup running 200 rules. In-process, no
 * HTTP. Run with: npx tsx bench/auth-routing-bench.ts [iterations]
 *
 * Pieces: createAuthenticator (src/auth/auth-chain.ts) with one Basic user (scrypt hash; the first call
 * pays the hash and fills the verification cache) and JWT HS256 enabled; a RuleEngine with the 200 rules
 * of bench/lib/routing-fixtures.ts (the same generator as bench/routing-bench.ts). Iterations are timed in
 * batches of 50 with process.hrtime.bigint(), so the timer's and the event loop's per-call cost is spread;
 * p50/p99 are over batches, per iteration. Target: auth (cached) + 200 rules + group choice ≤ 50 µs p50.
 * Printed, never asserted.
 */
import { SignJWT } from 'jose';
import type { IncomingHttpHeaders } from 'node:http';
import { createAuthenticator } from '../src/auth/auth-chain.js';
import { authConfigSchema } from '../src/auth/auth-config.js';
import type { Principal } from '../src/auth/principal.js';
import { hashPassword } from '../src/auth/password-hash.js';
import { userDirectory } from '../test/helpers/user-directory.js';
import { silentLogger } from '../src/observability/logger.js';
import { Metrics } from '../src/observability/metrics.js';
import { chooseGroup } from '../src/routing/group-choice.js';
import { buildRequestFacts } from '../src/routing/request-facts.js';
import { RuleEngine } from '../src/routing/rule-engine.js';
import { parseRuleText } from '../src/routing/rule-loader.js';
import { generateRules, GROUPS, sqlVariants, trinoHeaders } from './lib/routing-fixtures.js';

const iterations = Number(process.argv[2] ?? 50_000);
const BATCH = 50;
const TARGET_US = 50;
const SECRET = 'bench-shared-secret-of-32-chars!!';

const users = userDirectory([
  { name: 'alice', passwordHash: await hashPassword('alice-pw'), groups: ['*'], roles: ['user'] },
]);
const auth = createAuthenticator(
  authConfigSchema.parse({
    mode: 'password',
    jwt: { enabled: true, secret: SECRET, algorithms: ['HS256'], issuer: 'idp', audience: 'switchyard' },
  }),
  { users, metrics: new Metrics(), logger: silentLogger(), baseDir: process.cwd() },
);
const jwt = await new SignJWT({ groups: ['*'] })
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject('alice')
  .setIssuer('idp')
  .setAudience('switchyard')
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(new TextEncoder().encode(SECRET));

const BASIC = `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`;
const BEARER = `Bearer ${jwt}`;
const engine = RuleEngine.fromRules(parseRuleText(generateRules(), 'bench.yaml'), silentLogger());
const knownGroups = new Set(GROUPS);
const variants = sqlVariants();

const request = (source: string, authorization: string) => ({
  headers: trinoHeaders(source, authorization), // node:http builds this object before we see the request
  remoteAddress: '10.0.0.7',
});

async function authenticate(req: {
  headers: IncomingHttpHeaders;
  remoteAddress: string;
}): Promise<Principal> {
  const r = await auth.authenticate(req);
  if (!r.ok) throw new Error(`auth failed: ${r.reason}`);
  return r.principal;
}

function route(req: { headers: IncomingHttpHeaders }, principal: Principal, i: number) {
  const facts = buildRequestFacts(req.headers, principal, variants[i % 1000]);
  const choice = chooseGroup({ facts, principal, engine, defaultGroup: 'adhoc', knownGroups });
  if (!choice.ok) throw new Error(choice.message);
  return choice;
}

// The first Basic call pays scrypt and fills the cache; every later one is a cache hit.
const coldStart = process.hrtime.bigint();
await authenticate(request('jdbc', BASIC));
const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;

const check = (name: string, got: unknown, want: unknown): void => {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${name}: got ${JSON.stringify(got)}`);
};
check('no match', route(request('jdbc', BASIC), await authenticate(request('jdbc', BASIC)), 0), {
  ok: true,
  group: 'adhoc',
  source: 'config-default',
});
check('header rule', route(request('tool-60', BEARER), await authenticate(request('tool-60', BEARER)), 0), {
  ok: true,
  group: 'adhoc',
  source: 'rule',
  rule: 'rule-60',
});

const pct = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const rows: Array<{ name: string; p50: number; p99: number; target: boolean }> = [];
let sink = 0;

async function measure(name: string, target: boolean, run: (i: number) => Promise<unknown> | unknown) {
  for (let i = 0; i < 5_000; i++) await run(i); // warm-up
  const batches = Math.ceil(iterations / BATCH);
  const perIteration = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) if (await run(b * BATCH + i)) sink++;
    perIteration[b] = Number(process.hrtime.bigint() - t0) / 1e3 / BATCH;
  }
  perIteration.sort();
  rows.push({ name, p50: pct(perIteration, 0.5), p99: pct(perIteration, 0.99), target });
}

const basicNone = request('jdbc', BASIC);
const basicHeader = request('tool-60', BASIC);
const bearerNone = request('jdbc', BEARER);
const alice = await authenticate(basicNone);

await measure('Basic auth, cached hit (alone)', false, () => authenticate(basicNone));
await measure('JWT HS256, cached (alone)', false, () => authenticate(bearerNone));
await measure('facts + 200 rules + choice, none match', false, (i) => route(basicNone, alice, i));
await measure('Basic (cached) + facts + 200 rules, none', true, async (i) =>
  route(basicNone, await authenticate(basicNone), i),
);
await measure('Basic (cached) + facts + rule #60 matches', true, async (i) =>
  route(basicHeader, await authenticate(basicHeader), i),
);
await measure('JWT (cached) + facts + 200 rules, none', true, async (i) =>
  route(bearerNone, await authenticate(bearerNone), i),
);

console.log(
  `auth + routing: ${engine.rules.length} rules, ${iterations} iterations in batches of ${BATCH}, ` +
    `Node ${process.version}; first (uncached, scrypt) Basic call ${coldMs.toFixed(1)} ms`,
);
console.log(
  `${'step, per new query'.padEnd(44)} ${'p50 µs'.padStart(7)} ${'p99 µs'.padStart(7)}   target p50 ≤ ${TARGET_US} µs`,
);
for (const r of rows)
  console.log(
    `${r.name.padEnd(44)} ${r.p50.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(7)}   ${
      r.target ? (r.p50 <= TARGET_US ? 'met' : 'MISSED') : ''
    }`,
  );
if (sink === -1) console.log(sink); // keeps the results alive
