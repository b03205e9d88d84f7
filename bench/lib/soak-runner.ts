/**
 * The soak: three emulated Trino clusters and Switchyard in its own process (so its memory is measured
 * alone), mixed load for a given time — trino-client and raw-fetch queries of several pages, some
 * cancelled mid-way, admin deactivate/activate every few seconds, one cluster refusing connections or
 * restarting every ~20 s — sampling the gateway's RSS and open fds, and sorting every query into ok,
 * explained failure (a Trino-shaped error while a cluster was disturbed) and unexplained failure
 * (hangs, non-JSON answers, transport errors, unexpected statuses, wrong rows, errors with no
 * disturbance to explain them). Used by `bench/soak.ts` and `test/reliability/soak.test.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BasicAuth, Trino } from 'trino-client';
import { stringify } from 'yaml';
import { TrinoEmulator } from '../../test/helpers/trino-emulator/index.js';

export interface SoakOptions {
  durationMs: number;
  /** Concurrent clients. Default 6. */
  clients?: number;
  /** Default 5000. */
  sampleEveryMs?: number;
  /** Admin deactivate/activate cadence. Default 3000. */
  adminEveryMs?: number;
  /** One cluster disturbed (refuse for flapForMs, or restart) every flapEveryMs. Default 20000. */
  flapEveryMs?: number;
  /** Default 5000. */
  flapForMs?: number;
  /** A query still running after this is a hang. Default 30000. */
  deadlineMs?: number;
  /** Called with each sample as it is taken. */
  onSample?: (s: SoakSample) => void;
  /** Progress lines (flaps, admin changes). */
  log?: (line: string) => void;
}

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  rssMB: number;
  heapMB: number;
  fds: number | null;
  /** Queries ended (any outcome) per second since the previous sample. */
  qps: number;
  ok: number;
  explained: number;
  unexplained: number;
}

export interface SoakReport {
  durationMs: number;
  samples: SoakSample[];
  ok: number;
  cancelled: number;
  explained: number;
  unexplained: number;
  adminChanges: number;
  flaps: number;
  /** Explained failures by kind (e.g. "502 BACKEND_UNREACHABLE"). */
  explainedKinds: Record<string, number>;
  /** The first unexplained failures, described. */
  failures: string[];
  /** Sample at 25% of the run (the warm baseline) and the last one. */
  baseline: SoakSample;
  last: SoakSample;
  rssGrowthMB: number;
  fdGrowth: number | null;
  /** Exit code of the gateway after SIGTERM at the end (0 expected). */
  gatewayExit: number | null;
  gatewayOutputTail: string;
}

type Outcome =
  | { ok: true; cancelled?: boolean }
  | { ok: false; trinoShaped: boolean; restartAnswer?: boolean; kind: string; detail: string };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src', 'main.ts');
const USER = 'soak';
const GRACE_MS = 4000; // health detection: 2 failed probes 1 s apart, plus jitter and margin

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectedRows(n: number): string {
  return JSON.stringify(Array.from({ length: n }, (_, i) => [i + 1]));
}

/** describeBody tells whether an answer is a Trino-shaped JSON error and names it. */
function describeBody(
  status: number,
  body: unknown,
): { trinoShaped: boolean; restartAnswer: boolean; kind: string } {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as { message?: unknown; errorName?: unknown };
    return {
      trinoShaped: typeof b.message === 'string',
      restartAnswer: false,
      kind: `${status} ${typeof b.errorName === 'string' ? b.errorName : 'json'}`,
    };
  }
  const text = typeof body === 'string' ? body : '';
  // A restarted coordinator forgets its queries: Trino answers their URIs 404 "Query not found" (text).
  const restartAnswer = status === 404 && /^Query not found/.test(text);
  return {
    trinoShaped: false,
    restartAnswer,
    kind: `${status} ${restartAnswer ? 'query-not-found' : 'non-json'}`,
  };
}

async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | 'deadline'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((r) => (timer = setTimeout(() => r('deadline'), ms)));
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** viaTrinoClient runs SELECT * FROM UNNEST(sequence(1, n)) with the npm trino-client. */
async function viaTrinoClient(url: string, n: number): Promise<Outcome> {
  const trino = Trino.create({ server: url, catalog: 'tpch', schema: 'tiny', auth: new BasicAuth(USER) });
  const rows: unknown[][] = [];
  try {
    const iter = await trino.query(`SELECT * FROM UNNEST(sequence(1, ${n}))`);
    for await (const page of iter) {
      if (page.error)
        return {
          ok: false,
          trinoShaped: true,
          kind: `200 ${page.error.errorName}`,
          detail: page.error.message,
        };
      if (page.data) rows.push(...(page.data as unknown[][]));
    }
  } catch (e) {
    const r = (e as { response?: { status: number; data: unknown } }).response;
    if (!r)
      return {
        ok: false,
        trinoShaped: false,
        kind: 'transport',
        detail: `trino-client: ${(e as Error).message}`,
      };
    const d = describeBody(r.status, r.data);
    return { ok: false, ...d, detail: `trino-client: ${r.status} ${JSON.stringify(r.data).slice(0, 200)}` };
  }
  if (JSON.stringify(rows) !== expectedRows(n))
    return {
      ok: false,
      trinoShaped: false,
      kind: 'wrong-rows',
      detail: `trino-client: ${rows.length}/${n} rows`,
    };
  return { ok: true };
}

/** viaFetch runs the same query on the raw protocol; with cancelAfter, DELETEs nextUri after that many pages. */
async function viaFetch(
  url: string,
  n: number,
  cancelAfter?: number,
  signal?: AbortSignal,
): Promise<Outcome> {
  const headers = { 'X-Trino-User': USER, 'X-Trino-Catalog': 'tpch', 'X-Trino-Schema': 'tiny' };
  const rows: unknown[][] = [];
  let pages = 0;
  let req: { url: string; init: RequestInit } = {
    url: `${url}/v1/statement`,
    init: { method: 'POST', body: `SELECT * FROM UNNEST(sequence(1, ${n}))`, headers, signal },
  };
  try {
    for (;;) {
      const res = await fetch(req.url, req.init);
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // left as text
      }
      if (res.status !== 200) {
        const d = describeBody(res.status, body);
        return {
          ok: false,
          ...d,
          detail: `fetch ${req.init.method ?? 'GET'}: ${res.status} ${text.slice(0, 200)}`,
        };
      }
      if (typeof body !== 'object' || body === null)
        return {
          ok: false,
          trinoShaped: false,
          kind: '200 non-json',
          detail: `fetch: ${text.slice(0, 200)}`,
        };
      const page = body as {
        nextUri?: string;
        data?: unknown[][];
        error?: { errorName: string; message: string };
      };
      if (page.error)
        return {
          ok: false,
          trinoShaped: true,
          kind: `200 ${page.error.errorName}`,
          detail: page.error.message,
        };
      if (page.data) rows.push(...page.data);
      pages++;
      if (!page.nextUri) break;
      if (cancelAfter !== undefined && pages >= cancelAfter) {
        const del = await fetch(page.nextUri, { method: 'DELETE', headers, signal });
        const delText = await del.text();
        if (del.status === 204 || del.status === 200) return { ok: true, cancelled: true };
        let delBody: unknown = delText;
        try {
          delBody = JSON.parse(delText);
        } catch {
          // left as text
        }
        const d = describeBody(del.status, delBody);
        return { ok: false, ...d, detail: `cancel DELETE: ${del.status} ${delText.slice(0, 200)}` };
      }
      req = { url: page.nextUri, init: { headers, signal } };
    }
  } catch (e) {
    return {
      ok: false,
      trinoShaped: false,
      kind: 'transport',
      detail: `fetch: ${(e as Error).message} ${String((e as { cause?: unknown }).cause ?? '')}`,
    };
  }
  if (JSON.stringify(rows) !== expectedRows(n))
    return { ok: false, trinoShaped: false, kind: 'wrong-rows', detail: `fetch: ${rows.length}/${n} rows` };
  return { ok: true };
}

async function metricsOf(url: string): Promise<{ rss: number; heap: number; fds: number | null }> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const num = (name: string) => {
    const m = new RegExp(`^switchyard_(?:process_)?${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    rss: num('resident_memory_bytes') ?? 0,
    heap: num('nodejs_heap_size_used_bytes') ?? 0,
    fds: num('open_fds'),
  };
}

/** runSoak runs the whole soak and resolves with its figures; it never throws for a failed query. */
export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const o = {
    clients: 6,
    sampleEveryMs: 5000,
    adminEveryMs: 3000,
    flapEveryMs: 20_000,
    flapForMs: 5000,
    deadlineMs: 30_000,
    log: () => {},
    ...opts,
  };
  const dir = mkdtempSync(join(tmpdir(), 'sy-soak-'));
  const emulators = await Promise.all(
    [1, 2, 3].map((i) => TrinoEmulator.start({ name: `trino-${i}`, rowsPerPage: 50 })),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configFile = join(dir, 'gateway.config.yaml');
  writeFileSync(
    configFile,
    stringify({
      server: { host: '127.0.0.1', port, publicUrl: url },
      database: { path: join(dir, 'switchyard.db') },
      routing: { defaultGroup: 'adhoc', rulesDir: join(ROOT, 'rules') },
      groups: [{ name: 'adhoc' }],
      backends: emulators.map((e) => ({ name: e.name, url: e.url, group: 'adhoc' })),
      health: { intervalSeconds: 1, timeoutSeconds: 1 },
      auth: { mode: 'none', headerUsers: { groups: ['*'], roles: ['admin', 'user'] } },
      log: { level: 'warn' },
    }),
  );
  let output = '';
  const keep = (c: Buffer) => (output = (output + c.toString()).slice(-20_000));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--no-memory-reducer',
      '--min-semi-space-size=16',
      '--no-concurrent-array-buffer-sweeping',
      '--import',
      'tsx',
      MAIN,
      '--config',
      configFile,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  const stopAll = async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(emulators.map((e) => e.stop()));
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready: the process answers and a query runs through (the monitor has seen backends healthy).
  const readyBy = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stopAll();
      throw new Error(`gateway exited ${child.exitCode}:\n${output}`);
    }
    const r = await viaFetch(url, 1).catch(() => undefined);
    if (r?.ok) break;
    if (Date.now() > readyBy) {
      await stopAll();
      throw new Error(`gateway not ready after 30 s:\n${output}`);
    }
    await sleep(200);
  }

  const t0 = Date.now();
  const end = t0 + o.durationMs;
  const counts = { ok: 0, cancelled: 0, explained: 0, unexplained: 0, ended: 0 };
  const explainedKinds: Record<string, number> = {};
  const failures: string[] = [];
  const unexplained = (what: string) => {
    counts.unexplained++;
    if (failures.length < 20) failures.push(`t=${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
    o.log(`UNEXPLAINED ${what}`);
  };
  /** Periods during which a cluster was (or was still seen as) refusing or restarting. */
  const disturbances: Array<{ from: number; to: number; restart: boolean }> = [];
  const disturbed = (from: number, to: number, restart: boolean) =>
    disturbances.some((d) => d.from <= to && d.to >= from && (!restart || d.restart));

  // The load: each client runs one query after another until the end.
  const client = async (id: number) => {
    let i = 0;
    while (Date.now() < end) {
      i++;
      const n = 60 + Math.floor(Math.random() * 240); // 2..6 data pages of 50 rows
      const pick = (id + i) % 5;
      const ac = new AbortController();
      const started = Date.now();
      const run =
        pick < 2
          ? viaTrinoClient(url, n)
          : pick < 4
            ? viaFetch(url, n, undefined, ac.signal)
            : viaFetch(url, n, 1 + (i % 3), ac.signal);
      const r = await withDeadline(run, o.deadlineMs);
      const ended = Date.now();
      counts.ended++;
      if (r === 'deadline') {
        ac.abort();
        unexplained(`hang: query of ${n} rows (client ${id}) still running after ${o.deadlineMs} ms`);
      } else if (r.ok) {
        counts.ok++;
        if (r.cancelled) counts.cancelled++;
      } else if (
        ((r.trinoShaped && /^(200|404|502|503|504) /.test(r.kind)) || r.restartAnswer) &&
        disturbed(started, ended, !!r.restartAnswer)
      ) {
        counts.explained++;
        explainedKinds[r.kind] = (explainedKinds[r.kind] ?? 0) + 1;
      } else unexplained(`${r.kind}: ${r.detail}`);
      await sleep(10 + Math.random() * 40);
    }
  };

  // Admin changes: deactivate one backend, activate it on the next tick, move on to the next.
  let adminChanges = 0;
  let deactivated: string | undefined;
  let adminTurn = 0;
  const admin = setInterval(() => {
    const name = deactivated ?? emulators[adminTurn++ % emulators.length].name;
    const action = deactivated ? 'activate' : 'deactivate';
    deactivated = deactivated ? undefined : name;
    fetch(`${url}/api/v1/backends/${name}/${action}`, {
      method: 'POST',
      headers: { 'X-Trino-User': USER },
      signal: AbortSignal.timeout(10_000),
    }).then(
      async (res) => {
        adminChanges++;
        if (!res.ok)
          unexplained(`admin ${action} ${name}: ${res.status} ${(await res.text()).slice(0, 200)}`);
        else await res.body?.cancel();
      },
      (e: Error) => unexplained(`admin ${action} ${name}: ${e.message}`),
    );
  }, o.adminEveryMs);

  // Cluster flapping: alternately refuse connections for flapForMs, or restart (losing its queries).
  let flaps = 0;
  const flapping: Promise<void>[] = [];
  const flap = setInterval(() => {
    const e = emulators[flaps % emulators.length];
    const restart = flaps % 2 === 1;
    flaps++;
    const from = Date.now();
    if (restart) {
      o.log(`flap: restart ${e.name}`);
      disturbances.push({ from, to: from + GRACE_MS, restart: true });
      flapping.push(e.restart());
    } else {
      o.log(`flap: ${e.name} refuses connections for ${o.flapForMs} ms`);
      disturbances.push({ from, to: from + o.flapForMs + GRACE_MS, restart: false });
      flapping.push(
        e.setMode('refuse').then(async () => {
          await sleep(o.flapForMs);
          await e.setMode('ok');
        }),
      );
    }
  }, o.flapEveryMs);

  // Samples of the gateway process.
  const samples: SoakSample[] = [];
  let lastEnded = 0;
  let lastAt = t0;
  const sample = async () => {
    const now = Date.now();
    try {
      const m = await metricsOf(url);
      const s: SoakSample = {
        t: Math.round((now - t0) / 1000),
        rssMB: m.rss / 2 ** 20,
        heapMB: m.heap / 2 ** 20,
        fds: m.fds,
        qps: (counts.ended - lastEnded) / Math.max(0.001, (now - lastAt) / 1000),
        ok: counts.ok,
        explained: counts.explained,
        unexplained: counts.unexplained,
      };
      samples.push(s);
      o.onSample?.(s);
    } catch (e) {
      unexplained(`/metrics: ${(e as Error).message}`);
    }
    lastEnded = counts.ended;
    lastAt = now;
    // Keep the harness lean over long runs: the emulators remember every request and query.
    for (const e of emulators) {
      e.clearRequests();
      for (const [qid, q] of e.queries)
        if (q.state !== 'QUEUED' && q.state !== 'RUNNING' && q.created < now - 60_000) e.queries.delete(qid);
    }
  };
  await sample();
  const sampler = setInterval(() => void sample(), o.sampleEveryMs);
  const gatewayDied = exited.then((code) => {
    if (Date.now() < end) unexplained(`gateway exited ${code} during the soak`);
  });
  void gatewayDied;

  await Promise.all(Array.from({ length: o.clients }, (_, i) => client(i)));
  clearInterval(admin);
  clearInterval(flap);
  clearInterval(sampler);
  await Promise.all(flapping);
  await sample();

  let gatewayExit: number | null = child.exitCode;
  if (gatewayExit === null) {
    child.kill('SIGTERM');
    gatewayExit = await withDeadline(exited, 15_000).then((c) => (c === 'deadline' ? null : c));
  }
  await stopAll();

  const baseline = samples.find((s) => s.t * 1000 >= o.durationMs * 0.25) ?? samples[0];
  const last = samples[samples.length - 1];
  return {
    durationMs: o.durationMs,
    samples,
    ok: counts.ok,
    cancelled: counts.cancelled,
    explained: counts.explained,
    unexplained: counts.unexplained,
    adminChanges,
    flaps,
    explainedKinds,
    failures,
    baseline,
    last,
    rssGrowthMB: last.rssMB - baseline.rssMB,
    fdGrowth: last.fds !== null && baseline.fds !== null ? last.fds - baseline.fds : null,
    gatewayExit,
    gatewayOutputTail: output.slice(-4000),
  };
}

/** sampleAt returns the first sample at or after `fraction` of the run. */
export function sampleAt(report: SoakReport, fraction: number): SoakSample {
  return report.samples.find((s) => s.t * 1000 >= report.durationMs * fraction) ?? report.samples[0];
}

export function formatSample(s: SoakSample): string {
  return [
    String(s.t).padStart(6),
    s.rssMB.toFixed(1).padStart(8),
    s.heapMB.toFixed(1).padStart(8),
    String(s.fds ?? '-').padStart(5),
    s.qps.toFixed(1).padStart(7),
    String(s.ok).padStart(8),
    String(s.explained).padStart(9),
    String(s.unexplained).padStart(11),
  ].join(' ');
}

export const SAMPLE_HEADER = `${'t(s)'.padStart(6)} ${'rss MB'.padStart(8)} ${'heap MB'.padStart(8)} ${'fds'.padStart(5)} ${'qps'.padStart(7)} ${'ok'.padStart(8)} ${'explained'.padStart(9)} ${'unexplained'.padStart(11)}`;
