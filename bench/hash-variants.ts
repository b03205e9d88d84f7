/**
 * `npx tsx bench/hash-variants.ts [seconds]`: hash amplification and name probing through Basic auth.
 *
 * Starts a gateway in this process (auth.mode password, one user) and, for `seconds` (default 10):
 * - 4 attacker connections send spellings of alice's right credential that were never sent before
 *   (whitespace at different places of the base64, padding dropped): each cost a scrypt when the cache was
 *   keyed on the raw header;
 * - one legitimate client calls an authenticated path with its usual header, back to back, and its
 *   latency is measured.
 * Then it times 20 logins of an unknown user and 20 wrong passwords of a known one (name probing).
 * scrypt calls are counted by wrapping node:crypto's scrypt, so the same script measures any version.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

let hashes = 0;
const original = crypto.scrypt;
(crypto as { scrypt: unknown }).scrypt = (...args: unknown[]) => {
  hashes++;
  return (original as (...a: unknown[]) => void)(...args);
};
syncBuiltinESMExports();

const { hashPassword } = await import('../src/auth/password-hash.js');
const { startGateway, testConfig } = await import('../test/helpers/start-gateway.js');

const seconds = Number(process.argv[2] ?? 10);
const gw = await startGateway(
  testConfig([], {
    log: { level: 'warn' },
    auth: {
      mode: 'password',
      users: [
        { name: 'alice', passwordHash: await hashPassword('alice-pw'), roles: ['user'], groups: ['*'] },
      ],
      lockout: { maxFailures: 1_000_000, windowSeconds: 60, blockSeconds: 60 },
    },
  }),
);
const b64 = Buffer.from('alice:alice-pw').toString('base64').replace(/=+$/, '');
/** spelling n: whitespace inserted after the characters named by the bits of n. */
const spelling = (n: number) => {
  let out = '';
  for (let i = 0; i < b64.length; i++) out += b64[i] + ((n >> i) & 1 ? ' ' : '');
  return `Basic ${out}`;
};
const call = async (authorization: string) => {
  const t = performance.now();
  const r = await fetch(`${gw.url}/api/v1/queries?limit=1`, { headers: { authorization } });
  await r.arrayBuffer();
  return { status: r.status, ms: performance.now() - t };
};

const legit = `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`;
await call(legit); // the legitimate client's credential is verified and cached before the attack
const quiet: number[] = [];
for (let i = 0; i < 50; i++) quiet.push((await call(legit)).ms);

const h0 = hashes;
const until = Date.now() + seconds * 1000;
let next = 1;
let attack = 0;
const latencies: number[] = [];
const attacker = async () => {
  while (Date.now() < until) {
    await call(spelling(next++));
    attack++;
  }
};
const client = async () => {
  while (Date.now() < until) latencies.push((await call(legit)).ms);
};
await Promise.all([attacker(), attacker(), attacker(), attacker(), client()]);
const attackHashes = hashes - h0;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1);
const probe = async (user: string) => {
  const ms: number[] = [];
  for (let i = 0; i < 20; i++)
    ms.push((await call(`Basic ${Buffer.from(`${user}:wrong${i}`).toString('base64')}`)).ms);
  return p50(ms);
};
const unknown = await probe('nobody');
const known = await probe('alice');
console.log(
  JSON.stringify(
    {
      seconds,
      attackRequests: attack,
      hashesDuringAttack: attackHashes,
      hashesPerSecond: +(attackHashes / seconds).toFixed(1),
      legitP50MsQuiet: +p50(quiet),
      legitP50MsUnderAttack: +p50(latencies),
      legitRequests: latencies.length,
      wrongPasswordP50Ms: { unknownUser: +unknown, knownUser: +known },
    },
    null,
    1,
  ),
);
await gw.stop();
process.exit(0);
