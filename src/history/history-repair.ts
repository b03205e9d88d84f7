import type { BackendRegistry } from '../backends/registry.js';
import type { Logger } from '../observability/logger.js';
import type { HistoryStore } from '../store/ports.js';
import type { HistoryCompletion } from './history-repo.js';

/** What repair needs of the query tracker: take back a query a cluster still runs. */
export interface Adopter {
  adopt(queryId: string, backend: string, user: string): void;
}

export interface RepairOptions {
  repo: Pick<HistoryStore, 'running'>;
  registry: BackendRegistry;
  tracker: Adopter;
  /** Records a final state (the recorder's completed). */
  complete: (c: HistoryCompletion) => void;
  /** Rows submitted before this time are from an earlier run. */
  startedAt: number;
  /** Trino user the gateway asks clusters as (catalogs.user). */
  user: string;
  timeoutMs: number;
  logger: Logger;
  /** Removes secrets from a cluster's error text. */
  scrub: (message: string | null | undefined) => string | null;
}

/** Rows looked at per start (the newest); older RUNNING rows are marked LOST without asking. */
const MAX_ASKED = 5000;
const CONCURRENCY = 8;
const FINAL = new Set(['FINISHED', 'FAILED']);

interface QueryInfo {
  state?: string;
  errorCode?: { name?: string; type?: string };
  failureInfo?: { message?: string };
  errorType?: string;
}

/**
 * repairRunningRows settles history rows an earlier run left RUNNING (it was killed before their last
 * page): each owning cluster is asked (`GET /v1/query/{id}`, Trino's QueryResource). A final state is
 * recorded as the cluster reports it; a query still running is adopted, so its client's polls or the
 * abandon sweep end it; one the cluster does not know (or cannot be asked about) is marked LOST. No row is
 * left RUNNING. Never throws.
 */
export async function repairRunningRows(o: RepairOptions): Promise<Record<string, number>> {
  const counts: Record<string, number> = { FINISHED: 0, FAILED: 0, CANCELED: 0, adopted: 0, LOST: 0 };
  let rows: Awaited<ReturnType<HistoryStore['running']>>;
  try {
    rows = await o.repo.running(o.startedAt);
  } catch (e) {
    o.logger.warn({ err: (e as Error).message }, 'cannot read RUNNING history rows to repair them');
    return counts;
  }
  const now = Date.now();
  const lost = (queryId: string, why: string) => {
    counts.LOST++;
    o.complete({
      queryId,
      state: 'LOST',
      finishedAt: now,
      errorName: 'GATEWAY_RESTARTED',
      errorMessage: why,
    });
  };
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const r = rows[next++];
      if (next > MAX_ASKED) {
        lost(r.queryId, 'the gateway restarted before the query ended; too many such queries to ask about');
        continue;
      }
      const b = o.registry.get(r.backend);
      if (!b) {
        lost(r.queryId, `the gateway restarted before the query ended; backend ${r.backend} is gone`);
        continue;
      }
      const info = await ask(b.url, r.queryId, o.user, o.timeoutMs);
      if (info === 'unknown')
        lost(r.queryId, 'the gateway restarted before the query ended; the cluster no longer knows it');
      else if (info === 'unreachable')
        lost(r.queryId, 'the gateway restarted before the query ended; its cluster could not be asked');
      else if (!FINAL.has(info.state ?? '')) {
        counts.adopted++;
        o.tracker.adopt(r.queryId, r.backend, r.user);
      } else {
        const canceled = info.state === 'FAILED' && info.errorCode?.name === 'USER_CANCELED';
        const state = canceled ? 'CANCELED' : info.state!;
        counts[state]++;
        o.complete({
          queryId: r.queryId,
          state,
          finishedAt: now,
          errorName: state === 'FINISHED' ? null : (info.errorCode?.name ?? null),
          errorType: state === 'FINISHED' ? null : (info.errorCode?.type ?? info.errorType ?? null),
          errorMessage: state === 'FINISHED' ? null : o.scrub(info.failureInfo?.message),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, rows.length) }, worker));
  if (rows.length > 0)
    o.logger.info(
      { repaired: rows.length, ...counts },
      'history rows left RUNNING by the previous run repaired',
    );
  return counts;
}

async function ask(
  base: string,
  queryId: string,
  user: string,
  timeoutMs: number,
): Promise<QueryInfo | 'unknown' | 'unreachable'> {
  try {
    const res = await fetch(`${base.replace(/\/$/, '')}/v1/query/${encodeURIComponent(queryId)}`, {
      headers: { 'x-trino-user': user, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status === 404 || res.status === 410) return 'unknown';
    if (res.status !== 200) {
      await res.body?.cancel();
      return 'unreachable';
    }
    const text = await res.text();
    if (text.length > 8 * 1024 * 1024) return 'unreachable';
    return JSON.parse(text) as QueryInfo;
  } catch {
    return 'unreachable';
  }
}
