import { resolve } from 'node:path';
import type { Services } from '../compose/services.js';
import { VERSION } from '../version.js';
import { DEFAULT_RULES_DIR } from '../routing/rule-start.js';

/** What the summary is made of: read from a started gateway (first health round done). */
export interface SummaryFacts {
  version: string;
  listen: string;
  publicUrl: string;
  authMode: 'password' | 'none';
  jwt: boolean;
  users: Array<{ name: string; roles: string[] }>;
  backends: Array<{
    name: string;
    group: string;
    url: string;
    active: boolean;
    health: string;
    detail?: string;
  }>;
  groups: Array<{ name: string; fallback?: string }>;
  rules: Array<{ name: string; routeTo: string }>;
  rulesDir: string;
  configFile?: string;
}

/** summaryFacts reads the facts from a started gateway. */
export function summaryFacts(
  g: Pick<Services, 'config' | 'users' | 'registry' | 'rules'>,
  at: { configFile?: string; port: number },
): SummaryFacts {
  const c = g.config;
  return {
    version: VERSION,
    listen: `${c.server.tls ? 'https' : 'http'}://${c.server.host}:${at.port}`,
    publicUrl: c.server.publicUrl,
    authMode: c.auth.mode,
    jwt: !!c.auth.jwt?.enabled,
    users: g.users.list().map((u) => ({ name: u.name, roles: u.roles })),
    backends: g.registry.all().map((b) => ({
      name: b.name,
      group: b.group,
      url: b.url,
      active: b.active,
      health: b.health,
      detail: b.healthDetail,
    })),
    groups: g.registry.groups().map((r) => ({ name: r.name, fallback: r.fallback ?? undefined })),
    rules: g.rules.rules.map((r) => ({ name: r.name, routeTo: r.routeTo })),
    rulesDir: resolve(c.baseDir, c.routing.rulesDir ?? DEFAULT_RULES_DIR),
    configFile: at.configFile,
  };
}

/**
 * summaryWarnings lists what stops a newcomer at once: nobody can log in (or administer), no backend
 * is healthy, a rule routes to a group that has no backend to run on.
 */
export function summaryWarnings(f: SummaryFacts): string[] {
  const w: string[] = [];
  if (f.authMode === 'password' && f.users.length === 0 && !f.jwt)
    w.push(
      'nobody can log in: auth.users is empty and auth.jwt is off. Add a user (hash from `npm run --silent hash-password`) to auth.users',
    );
  else if (f.authMode === 'password' && !f.jwt && !f.users.some((u) => u.roles.includes('admin')))
    w.push('no user has the admin role: the console and the admin API refuse everyone');
  if (f.backends.length === 0) w.push('no backends: add some under backends: or through the admin API');
  else if (!f.backends.some((b) => b.active && b.health === 'HEALTHY'))
    w.push('no backend is healthy yet: every query fails with NO_NODES_AVAILABLE until one is');
  const hasBackends = (group: string, seen = new Set<string>()): boolean => {
    if (seen.has(group)) return false;
    seen.add(group);
    if (f.backends.some((b) => b.group === group)) return true;
    const fb = f.groups.find((g) => g.name === group)?.fallback;
    return !!fb && hasBackends(fb, seen);
  };
  const stranded = new Map<string, string[]>();
  for (const r of f.rules)
    if (!hasBackends(r.routeTo)) stranded.set(r.routeTo, [...(stranded.get(r.routeTo) ?? []), r.name]);
  for (const [group, rules] of stranded)
    w.push(
      `group "${group}" has no backends (nor a fallback group with some), yet rules ${rules.join(', ')} route to it: their queries fail with NO_NODES_AVAILABLE`,
    );
  return w;
}

/** Users named in the summary; the rest are counted. */
const MAX_NAMES = 8;

/** formatSummary renders the facts as the one readable block printed at start. */
export function formatSummary(f: SummaryFacts): string {
  const pad = (s: string, n: number) => s.padEnd(n);
  const wName = Math.max(4, ...f.backends.map((b) => b.name.length));
  const wGroup = Math.max(5, ...f.backends.map((b) => b.group.length));
  const users =
    f.authMode === 'none'
      ? 'anyone (auth.mode: none trusts X-Trino-User; local tries only)'
      : f.users.length === 0
        ? f.jwt
          ? 'none with a password; JWT bearer tokens accepted'
          : 'none'
        : f.users
            .slice(0, MAX_NAMES)
            .map((u) => `${u.name}${u.roles.includes('admin') ? ' (admin)' : ''}`)
            .join(', ') +
          (f.users.length > MAX_NAMES ? ` and ${f.users.length - MAX_NAMES} more` : '') +
          (f.jwt ? '; JWT bearer tokens accepted' : '');
  const backendLines = f.backends.map(
    (b) =>
      `    ${pad(b.name, wName)}  ${pad(b.group, wGroup)}  ${b.url}  ${b.active ? b.health : 'INACTIVE'}` +
      (b.detail && b.health !== 'HEALTHY' ? ` (${b.detail})` : ''),
  );
  const warnings = summaryWarnings(f);
  const lines = [
    `Switchyard ${f.version} is listening on ${f.listen}${f.configFile ? ` (config ${f.configFile})` : ''}`,
    `  Trino clients  ${f.publicUrl}`,
    `  console        ${f.publicUrl.replace(/\/+$/, '')}/console`,
    `  users          ${users}`,
    `  rules          ${f.rules.length} from ${f.rulesDir}`,
    f.backends.length === 0 ? '  backends       none' : '  backends',
    ...backendLines,
    ...warnings.map((x) => `  WARNING: ${x}`),
    'Next: point a client at the URL above (trino --server URL --user NAME --password), open the console,',
    '      or try everything without Trino: npm run demo. SIGHUP reloads rules; Ctrl-C drains and stops.',
  ];
  return lines.join('\n') + '\n';
}
