import type { ConsoleApp, ConsoleContext, ConsoleKit } from '../console-app.js';
import type { CatalogDeploymentView, CatalogView, ConsoleCatalogs } from '../console-deps.js';
import { stateBadge } from '../format.js';
import { Cell, CsrfField, Layout, Message } from '../layout.js';
import { parseProperties } from '../properties-text.js';

type Outcome = { kind: 'info' | 'error'; text: string; deployments?: readonly CatalogDeploymentView[] };
type Draft = { group?: string; name?: string; connector?: string; properties?: string };

function Deployments({ list }: { list: readonly CatalogDeploymentView[] }) {
  if (list.length === 0) return <span class="muted small">no backends in the group</span>;
  return (
    <span class="row">
      {list.map((d) => (
        <span class={`badge ${stateBadge(d.state)}`} title={d.error ?? ''} data-deployment={d.backend}>
          {d.backend}: {d.state}
        </span>
      ))}
    </span>
  );
}

function CatalogRow({ cat, csrf }: { cat: CatalogView; csrf: string }) {
  const props = Object.entries(cat.properties);
  return (
    <tr data-catalog={`${cat.group}/${cat.name}`}>
      <Cell label="Catalog">
        <b>{cat.name}</b>
      </Cell>
      <Cell label="Group">{cat.group}</Cell>
      <Cell label="Connector">{cat.connector}</Cell>
      <Cell label="Properties" class="wide mono small">
        {props.length === 0 ? (
          <span class="muted">none</span>
        ) : (
          props.map(([k, v]) => <div>{`${k}=${v}`}</div>)
        )}
        {cat.deployments.some((d) => d.error) ? (
          <div class="small" style="color:var(--bad)">
            {cat.deployments
              .filter((d) => d.error)
              .map((d) => `${d.backend}: ${d.error}`)
              .join('; ')}
          </div>
        ) : null}
      </Cell>
      <Cell label="Deployments" class="wide">
        <Deployments list={cat.deployments} />
      </Cell>
      <Cell label="">
        <form
          class="inline"
          method="post"
          action="/console/catalogs/delete"
          data-confirm={`Drop catalog ${cat.name} from every backend of ${cat.group}?`}
        >
          <CsrfField token={csrf} />
          <input type="hidden" name="group" value={cat.group} />
          <input type="hidden" name="name" value={cat.name} />
          <button class="danger" type="submit">
            Delete
          </button>
        </form>
      </Cell>
    </tr>
  );
}

async function render(
  c: ConsoleContext,
  k: ConsoleKit,
  catalogs: ConsoleCatalogs,
  status: 200 | 400 | 404 | 409 | 422 | 502,
  outcome?: Outcome,
  draft: Draft = {},
) {
  const ctx = c.get('ctx');
  const list = [...(await catalogs.list())].sort(
    (a, b) => a.group.localeCompare(b.group) || a.name.localeCompare(b.name),
  );
  return c.html(
    <Layout ctx={ctx} title="Catalogs" section="catalogs">
      {outcome ? (
        <Message kind={outcome.kind}>
          {outcome.text} {outcome.deployments ? <Deployments list={outcome.deployments} /> : null}
        </Message>
      ) : null}
      <section class="card scroll">
        <table class="stack">
          <thead>
            <tr>
              <th>Catalog</th>
              <th>Group</th>
              <th>Connector</th>
              <th>Properties</th>
              <th>Deployments</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {list.map((cat) => (
              <CatalogRow cat={cat} csrf={ctx.csrf} />
            ))}
          </tbody>
        </table>
        {list.length === 0 ? <p class="muted">No catalogs are declared.</p> : null}
      </section>
      <form class="card" method="post" action="/console/catalogs">
        <h2>Add a catalog</h2>
        <CsrfField token={ctx.csrf} />
        <div class="filters">
          <div>
            <label for="group">Routing group</label>
            <select id="group" name="group" required>
              {k.deps.registry.groups().map((g) => (
                <option value={g.name} selected={g.name === draft.group}>
                  {g.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="name">Name</label>
            <input
              id="name"
              name="name"
              required
              maxlength={128}
              value={draft.name ?? ''}
              placeholder="sales"
            />
          </div>
          <div>
            <label for="connector">Connector</label>
            <input
              id="connector"
              name="connector"
              required
              maxlength={128}
              value={draft.connector ?? ''}
              placeholder="postgresql"
            />
          </div>
        </div>
        <label for="properties" style="margin-top:10px">
          Properties, one key=value per line (secrets are sealed and never shown again)
        </label>
        <textarea
          id="properties"
          name="properties"
          placeholder="connection-url=jdbc:postgresql://db:5432/sales"
        >
          {draft.properties ?? ''}
        </textarea>
        <p class="row end">
          <button class="primary" type="submit">
            Add to every backend of the group
          </button>
        </p>
      </form>
    </Layout>,
    status,
  );
}

/** A refusal from the catalog service: its 4xx status and message; anything else is a bad gateway. */
function refusal(e: unknown): { status: 400 | 404 | 409 | 422 | 502; text: string } {
  const s = (e as { status?: unknown }).status;
  const status = s === 400 || s === 404 || s === 409 || s === 422 ? s : 502;
  return { status, text: (e as Error).message ?? String(e) };
}

/** Catalogs: every spec with its per-backend deployment states; add (broadcast) and delete. */
export function registerCatalogs(app: ConsoleApp, k: ConsoleKit, catalogs: ConsoleCatalogs): void {
  app.get('/console/catalogs', (c) => render(c, k, catalogs, 200));

  app.post('/console/catalogs', async (c) => {
    const f = c.get('form');
    const draft: Draft = {
      group: f.group,
      name: f.name?.trim(),
      connector: f.connector?.trim(),
      properties: f.properties,
    };
    if (!draft.group || !draft.name || !draft.connector)
      return render(
        c,
        k,
        catalogs,
        400,
        { kind: 'error', text: 'Group, name and connector are required.' },
        draft,
      );
    const props = parseProperties(draft.properties ?? '');
    if (!props.ok)
      return render(c, k, catalogs, 400, { kind: 'error', text: `Properties: ${props.error}` }, draft);
    try {
      const res = (await catalogs.create({
        group: draft.group,
        name: draft.name,
        connector: draft.connector,
        properties: props.properties,
      })) as { deployments?: readonly CatalogDeploymentView[] } | undefined;
      return render(c, k, catalogs, 200, {
        kind: 'info',
        text: `Catalog ${draft.name} added to ${draft.group}.`,
        deployments: res?.deployments,
      });
    } catch (e) {
      const r = refusal(e);
      return render(c, k, catalogs, r.status, { kind: 'error', text: r.text }, draft);
    }
  });

  app.post('/console/catalogs/delete', async (c) => {
    const { group, name } = c.get('form');
    if (!group || !name)
      return render(c, k, catalogs, 400, { kind: 'error', text: 'Group and name are required.' });
    try {
      await catalogs.delete(group, name);
      return render(c, k, catalogs, 200, { kind: 'info', text: `Catalog ${name} dropped from ${group}.` });
    } catch (e) {
      const r = refusal(e);
      return render(c, k, catalogs, r.status, { kind: 'error', text: r.text });
    }
  });
}
