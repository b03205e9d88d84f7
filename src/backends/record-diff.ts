import { backendColumns, type BackendRecord, type GroupRecord } from './backend-repo.js';

/** The fields of a backend as the YAML and the admin API name them, in the order they are reported. */
const BACKEND_FIELDS = [
  ['url', 'url'],
  ['group', 'groupName'],
  ['active', 'active'],
  ['externalUrl', 'externalUrl'],
  ['weight', 'weight'],
  ['catalogDriver', 'catalogDriver'],
  ['processForwarded', 'processForwarded'],
  ['forwardAuthorization', 'forwardAuthorization'],
  ['advertisedUrls', 'advertisedUrls'],
] as const;

/** One field two records disagree on, with both values as they read in YAML. */
export interface FieldDifference {
  field: string;
  a: unknown;
  b: unknown;
}

const shown = (v: unknown): unknown => (v === null ? undefined : v);

/**
 * backendDifferences lists the fields two backend records disagree on, compared as stored (a URL's
 * trailing slash, an absent and an empty list of advertised URLs are the same).
 */
export function backendDifferences(a: BackendRecord, b: BackendRecord): FieldDifference[] {
  const ca = backendColumns({ ...a, url: a.url.replace(/\/+$/, '') });
  const cb = backendColumns({ ...b, url: b.url.replace(/\/+$/, '') });
  const out: FieldDifference[] = [];
  for (const [field, col] of BACKEND_FIELDS)
    if (ca[col] !== cb[col])
      out.push(
        field === 'advertisedUrls'
          ? { field, a: a.advertisedUrls ?? [], b: b.advertisedUrls ?? [] }
          : { field, a: shown(ca[col]), b: shown(cb[col]) },
      );
  return out;
}

/** groupDifferences lists the fields two group records disagree on (policy, fallback). */
export function groupDifferences(a: GroupRecord, b: GroupRecord): FieldDifference[] {
  const out: FieldDifference[] = [];
  if (a.policy !== b.policy) out.push({ field: 'policy', a: a.policy, b: b.policy });
  if ((a.fallback ?? undefined) !== (b.fallback ?? undefined))
    out.push({ field: 'fallback', a: a.fallback, b: b.fallback });
  return out;
}
