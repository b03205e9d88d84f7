/**
 * `npm run admin -- <command>` (or `node dist/src/cli/admin.js`): common admin tasks over the gateway's REST
 * API, with the URL and credentials from the environment (see targetFromEnv). One line per problem, exit 1
 * when the API refused, 2 on a usage mistake.
 */
import { parseArgs } from 'node:util';
import { AdminCallError, call, targetFromEnv, type AdminTarget } from './admin-client.js';
import { table } from './table.js';

export const ADMIN_USAGE = `Usage: switchyard-admin <command> [options]

  backends list
  backends add NAME URL --group GROUP [--external-url URL] [--weight N] [--inactive]
  backends drain NAME          stop new queries to it (running ones finish); shows when it is drained
  backends activate NAME
  catalogs list [--group GROUP]
  catalogs add NAME CONNECTOR [--group GROUP] [--property KEY=VALUE ...]
  catalogs drop NAME [--group GROUP]
  queries [--user U] [--group G] [--backend B] [--state S] [--limit N]

  --json   print the API's JSON instead of a table

Environment: SWITCHYARD_URL (default http://localhost:8080), SWITCHYARD_USER and SWITCHYARD_PASSWORD, or
SWITCHYARD_TOKEN; SWITCHYARD_INSECURE=1 accepts a self-signed certificate.`;

class Usage extends Error {}

const OPTIONS = {
  group: { type: 'string' },
  'external-url': { type: 'string' },
  weight: { type: 'string' },
  inactive: { type: 'boolean' },
  property: { type: 'string', multiple: true },
  user: { type: 'string' },
  backend: { type: 'string' },
  state: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** runAdmin executes one command and returns what to print. */
export async function runAdmin(argv: string[], t: AdminTarget): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new Usage((e as Error).message.replace(/'/g, '').split('. ')[0]);
  }
  const { values: o, positionals: p } = parsed;
  if (o.help || p.length === 0) return ADMIN_USAGE;
  const [noun, verb, ...rest] = p;
  const out = (json: unknown, text: () => string) => (o.json ? JSON.stringify(json, null, 2) : text());
  if (noun === 'backends') return backends(t, verb, rest, o, out);
  if (noun === 'catalogs') return catalogs(t, verb, rest, o, out);
  if (noun === 'queries') return queries(t, o, out);
  throw new Usage(`unknown command "${noun}"`);
}

type Out = (json: unknown, text: () => string) => string;

const need = (args: string[], n: number, what: string) => {
  if (args.length !== n) throw new Usage(`expected ${what}`);
  return args;
};

async function backends(t: AdminTarget, verb: string | undefined, args: string[], o: Options, out: Out) {
  const view = (b: any) => [
    b.name,
    b.group,
    b.url,
    b.active ? 'active' : b.drained ? 'drained' : 'draining',
    b.health,
    String(b.inFlight),
  ];
  const head = ['NAME', 'GROUP', 'URL', 'ACTIVE', 'HEALTH', 'IN FLIGHT'];
  switch (verb) {
    case 'list': {
      need(args, 0, 'no arguments');
      const list = await call(t, 'GET', '/api/v1/backends');
      return out(list, () => table(head, list.map(view)));
    }
    case 'add': {
      const [name, url] = need(args, 2, 'NAME URL');
      if (!o.group) throw new Usage('backends add needs --group');
      const body = {
        name,
        url,
        group: o.group,
        active: !o.inactive,
        ...(o['external-url'] ? { externalUrl: o['external-url'] } : {}),
        ...(o.weight ? { weight: Number(o.weight) } : {}),
      };
      const b = await call(t, 'POST', '/api/v1/backends', body);
      return out(b, () => table(head, [view(b)]));
    }
    case 'drain':
    case 'activate': {
      const [name] = need(args, 1, 'NAME');
      const action = verb === 'drain' ? 'deactivate' : 'activate';
      const b = await call(t, 'POST', `/api/v1/backends/${encodeURIComponent(name!)}/${action}`);
      return out(b, () => table(head, [view(b)]));
    }
  }
  throw new Usage(`backends: unknown action "${verb ?? ''}" (list, add, drain, activate)`);
}

async function catalogs(t: AdminTarget, verb: string | undefined, args: string[], o: Options, out: Out) {
  const head = ['GROUP', 'NAME', 'CONNECTOR', 'STATUS', 'DEPLOYMENTS'];
  const view = (c: any) => [c.group, c.name, c.connector, c.status, deployments(c.deployments ?? [])];
  switch (verb) {
    case 'list': {
      need(args, 0, 'no arguments');
      const q = o.group ? `?group=${encodeURIComponent(o.group)}` : '';
      const list = await call(t, 'GET', `/api/v1/catalogs${q}`);
      return out(list, () => table(head, list.map(view)));
    }
    case 'add': {
      const [name, connector] = need(args, 2, 'NAME CONNECTOR');
      const properties: Record<string, string> = {};
      for (const kv of o.property ?? []) {
        const i = kv.indexOf('=');
        if (i <= 0) throw new Usage(`--property ${kv}: expected KEY=VALUE`);
        properties[kv.slice(0, i)] = kv.slice(i + 1);
      }
      const r = await call(t, 'POST', '/api/v1/catalogs', { name, connector, group: o.group, properties });
      return out(r, () => outcomes(r));
    }
    case 'drop': {
      const [name] = need(args, 1, 'NAME');
      const group = o.group ?? (await call(t, 'GET', '/api/v1/info')).defaultGroup ?? 'adhoc';
      const r = await call(
        t,
        'DELETE',
        `/api/v1/catalogs/${encodeURIComponent(group)}/${encodeURIComponent(name!)}`,
      );
      return out(r, () => outcomes(r));
    }
  }
  throw new Usage(`catalogs: unknown action "${verb ?? ''}" (list, add, drop)`);
}

const deployments = (ds: any[]) => ds.map((d) => `${d.backend}:${d.state}`).join(' ') || '-';

/** outcomes shows a broadcast's result per backend (applied, failed with the cluster's message, pending…). */
function outcomes(r: any): string {
  const rows = (r.outcomes ?? []).map((x: any) => [x.backend, x.state, x.error ?? '']);
  return `${r.catalog?.group ?? ''}/${r.catalog?.name ?? ''}\n${table(['BACKEND', 'STATE', 'ERROR'], rows)}`;
}

async function queries(t: AdminTarget, o: Options, out: Out) {
  const q = new URLSearchParams();
  for (const k of ['user', 'group', 'backend', 'state', 'limit'] as const) if (o[k]) q.set(k, o[k]!);
  const r = await call(t, 'GET', `/api/v1/queries${q.size ? `?${q}` : ''}`);
  const rows = r.queries.map((x: any) => [
    x.queryId,
    x.user,
    x.routingGroup ?? '',
    x.backend ?? '',
    x.state,
    x.elapsedMs === null || x.elapsedMs === undefined ? '' : `${x.elapsedMs} ms`,
    String(x.sql ?? '')
      .replace(/\s+/g, ' ')
      .slice(0, 60),
  ]);
  return out(r, () => table(['QUERY ID', 'USER', 'GROUP', 'BACKEND', 'STATE', 'ELAPSED', 'SQL'], rows));
}

async function main(): Promise<void> {
  try {
    process.stdout.write(`${await runAdmin(process.argv.slice(2), targetFromEnv(process.env))}\n`);
  } catch (e) {
    if (e instanceof Usage) {
      process.stderr.write(`switchyard-admin: ${e.message}\n\n${ADMIN_USAGE}\n`);
      process.exit(2);
    }
    if (e instanceof AdminCallError) {
      process.stderr.write(`switchyard-admin: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

if (process.argv[1] && /cli[\\/]admin\.(ts|js)$/.test(process.argv[1])) void main();
