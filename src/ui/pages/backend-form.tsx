import { issuesMessage } from '../../admin/http.js';
import { backendInput } from '../../admin/schemas.js';
import type { BackendRecord } from '../../backends/backend-repo.js';
import { AppError, type AppErrorStatus } from '../../app-error.js';
import type { ConsoleApp, ConsoleContext, ConsoleKit, Form } from '../console-app.js';
import { CsrfField, ErrorPage, Layout, Message } from '../layout.js';

/** What the form holds: the fields as typed (strings), so a refused form comes back as it was sent. */
type Fields = Record<
  'name' | 'url' | 'externalUrl' | 'group' | 'weight' | 'catalogDriver' | 'active',
  string
>;

const fieldsOf = (b: BackendRecord): Fields => ({
  name: b.name,
  url: b.url,
  externalUrl: b.externalUrl ?? '',
  group: b.group,
  weight: String(b.weight),
  catalogDriver: b.catalogDriver,
  active: b.active ? 'on' : '',
});

const fromForm = (f: Form, name?: string): Fields => ({
  name: name ?? (f.name ?? '').trim(),
  url: (f.url ?? '').trim(),
  externalUrl: (f.externalUrl ?? '').trim(),
  group: f.group ?? '',
  weight: (f.weight ?? '').trim(),
  catalogDriver: f.catalogDriver ?? 'sql',
  active: f.active === 'on' ? 'on' : '',
});

/**
 * parseFields validates the form with the admin API's own schema (the same checks, the same messages):
 * a record, or the message naming each field at fault.
 */
function parseFields(v: Fields): { ok: true; rec: BackendRecord } | { ok: false; error: string } {
  const weight = /^\d{1,6}$/.test(v.weight) ? Number(v.weight) : v.weight === '' ? undefined : NaN;
  const p = backendInput.safeParse({
    name: v.name,
    url: v.url,
    group: v.group,
    active: v.active === 'on',
    weight,
    catalogDriver: v.catalogDriver,
    externalUrl: v.externalUrl || undefined,
  });
  if (!p.success) return { ok: false, error: issuesMessage(p.error) };
  return { ok: true, rec: { ...p.data, externalUrl: p.data.externalUrl ?? undefined } };
}

function BackendForm(props: { c: ConsoleContext; k: ConsoleKit; v: Fields; edit: boolean; error?: string }) {
  const { v, edit } = props;
  const groups = props.k.deps.registry.groups().map((g) => g.name);
  const action = edit ? `/console/backends/${encodeURIComponent(v.name)}/edit` : '/console/backends/new';
  const ctx = props.c.get('ctx');
  return (
    <Layout ctx={ctx} title={edit ? `Edit backend ${v.name}` : 'Add a backend'} section="backends">
      {props.error ? <Message kind="error">{props.error}</Message> : null}
      <form class="card filters" method="post" action={action} id="backend-form">
        <CsrfField token={ctx.csrf} />
        <div>
          <label for="name">Name</label>
          <input id="name" name="name" value={v.name} required disabled={edit} />
        </div>
        <div>
          <label for="url">Coordinator URL</label>
          <input id="url" name="url" value={v.url} required placeholder="http://trino-1:8080" />
        </div>
        <div>
          <label for="externalUrl">URL for browsers (optional)</label>
          <input
            id="externalUrl"
            name="externalUrl"
            value={v.externalUrl}
            placeholder="https://trino-1.example.com"
          />
        </div>
        <div>
          <label for="group">Routing group</label>
          <select id="group" name="group">
            {groups.map((g) => (
              <option value={g} selected={g === v.group}>
                {g}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="weight">Weight (1–1000)</label>
          <input id="weight" name="weight" value={v.weight} inputmode="numeric" />
        </div>
        <div>
          <label for="catalogDriver">Catalog driver</label>
          <select id="catalogDriver" name="catalogDriver">
            {['sql', 'rest'].map((d) => (
              <option value={d} selected={d === v.catalogDriver}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label class="check">
            <input type="checkbox" name="active" checked={v.active === 'on'} /> Active (takes new queries)
          </label>
        </div>
        <div class="row span">
          <button class="primary" type="submit" id="save">
            {edit ? 'Save' : 'Add backend'}
          </button>
          <a class="button" href="/console/backends">
            Cancel
          </a>
        </div>
      </form>
    </Layout>
  );
}

const EMPTY: Fields = {
  name: '',
  url: '',
  externalUrl: '',
  group: '',
  weight: '1',
  catalogDriver: 'sql',
  active: 'on',
};

/** Backends added, edited and deleted from the console, with the admin API's validation and refusals. */
export function registerBackendForms(app: ConsoleApp, k: ConsoleKit): void {
  const { registry } = k.deps;
  const form = (
    c: ConsoleContext,
    v: Fields,
    edit: boolean,
    error?: string,
    status: 200 | AppErrorStatus = 200,
  ) => c.html(<BackendForm c={c} k={k} v={v} edit={edit} error={error} />, status);
  const refused = (c: ConsoleContext, e: AppError) =>
    c.html(
      <ErrorPage status={e.status} title="Not changed" message={e.message} ctx={c.get('ctx')} />,
      e.status,
    );
  const done = (c: ConsoleContext, what: string, name: string) =>
    c.redirect(`/console/backends?done=${what}&backend=${encodeURIComponent(name)}`, 303);

  const missing = (c: ConsoleContext) =>
    refused(c, new AppError(404, `backend "${(c.req.param('name') ?? '').slice(0, 128)}" not found`));
  /** save applies the submitted form; a field or registry refusal shows the form again as typed. */
  const save = async (
    c: ConsoleContext,
    name: string | undefined,
    apply: (rec: BackendRecord) => Promise<unknown>,
  ) => {
    const edit = name !== undefined;
    const v = fromForm(c.get('form'), name);
    const p = parseFields(v);
    if (!p.ok) return form(c, v, edit, p.error, 400);
    try {
      await apply(p.rec);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return form(c, v, edit, e.message, e.status);
    }
    return done(c, edit ? 'edited' : 'added', v.name);
  };

  app.get('/console/backends/new', (c) => form(c, { ...EMPTY, group: k.deps.defaultGroup }, false));
  app.post('/console/backends/new', (c) => save(c, undefined, (rec) => registry.add(rec)));
  app.get('/console/backends/:name/edit', (c) => {
    const b = registry.get(c.req.param('name'));
    return b ? form(c, fieldsOf(b.record()), true) : missing(c);
  });
  app.post('/console/backends/:name/edit', (c) => {
    const b = registry.get(c.req.param('name'));
    return b ? save(c, b.name, (rec) => registry.update(rec)) : missing(c);
  });

  app.post('/console/backends/:name/delete', async (c) => {
    const b = registry.get(c.req.param('name'));
    if (!b) return missing(c);
    if (b.inFlight > 0 && c.get('form').force !== 'on')
      return refused(
        c,
        new AppError(
          409,
          `backend "${b.name}" has ${b.inFlight} queries in flight; deactivate it and delete it once drained`,
        ),
      );
    await registry.remove(b.name);
    return done(c, 'deleted', b.name);
  });
}
