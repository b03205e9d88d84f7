import { AppError, type AppErrorStatus } from '../../app-error.js';
import type { DatabaseRules } from '../../routing/database-rules.js';
import type { RuleEngine } from '../../routing/rule-engine.js';
import type { ConsoleApp, ConsoleContext, ConsoleKit } from '../console-app.js';
import { dryRun, type DryRunInput, type DryRunResult } from '../dry-run.js';
import { formatTime } from '../format.js';
import { CsrfField, Layout, Message } from '../layout.js';
import { Decision, RulesTable, Versions } from './rules-parts.js';

/** What the editor holds: the text, and the version it was loaded from (saves name it; 0: none yet). */
interface Draft {
  yaml: string;
  base: number;
  note?: string;
}

interface View {
  engine?: RuleEngine;
  draft: Draft;
  /** The version whose text is in the editor, when it is a stored one. */
  shown?: number;
  input?: DryRunInput;
  result?: DryRunResult;
  /** The engine of a dry run with the draft (file rules and the draft's database rules). */
  draftEngine?: RuleEngine;
  error?: string;
  info?: string;
}

/** A textarea posts CRLF line ends; rule text is stored with LF. */
const lf = (s: string) => s.replace(/\r\n?/g, '\n');

function Editor({ db, view }: { db?: DatabaseRules; view: View }) {
  const current = db?.current();
  return (
    <section class="card" id="editor">
      <h2>Database rules</h2>
      <p class="muted small">
        {current
          ? `Version ${current.version} in force, saved by ${current.author} at ${formatTime(current.createdAt)} UTC.`
          : 'No database rules yet.'}{' '}
        Same language as the rule files (rules/README.md). They run with the file rules by priority; on equal
        priority the file rules run first. Saving validates the whole set first: a refused set changes
        nothing.
      </p>
      {db ? (
        <>
          <input type="hidden" name="baseVersion" value={String(view.draft.base)} />
          <label for="rules">Rules (YAML)</label>
          <textarea
            id="rules"
            name="rules"
            class="editor"
            spellcheck={false}
            placeholder="- name: reports-to-etl"
          >
            {view.draft.yaml}
          </textarea>
          <label for="note" style="margin-top:10px">
            Note for the audit trail
          </label>
          <input id="note" name="note" value={view.draft.note ?? ''} placeholder="why (optional)" />
          <p class="row end">
            <button id="save" class="primary" type="submit" formaction="/console/rules/save">
              Save as version {(current?.version ?? 0) + 1}
            </button>
          </p>
        </>
      ) : (
        <p class="muted">Rule editing is not available here.</p>
      )}
    </section>
  );
}

function DryRunFields({ input }: { input?: DryRunInput }) {
  return (
    <section class="card">
      <h2>Dry run</h2>
      <p class="muted small">Explains what a new query would get, with the draft in the editor.</p>
      <label for="user">User</label>
      <input id="user" name="user" value={input?.user ?? ''} />
      <label for="headers" style="margin-top:10px">
        Headers, one "Name: value" per line
      </label>
      <textarea id="headers" name="headers" placeholder="X-Trino-Source: airflow">
        {input?.headers ?? ''}
      </textarea>
      <label for="sql" style="margin-top:10px">
        SQL
      </label>
      <textarea id="sql" name="sql" placeholder="SELECT * FROM hive.sales.orders">
        {input?.sql ?? ''}
      </textarea>
      <p class="row end">
        <button id="explain" type="submit">
          Explain
        </button>
      </p>
    </section>
  );
}

async function render(
  c: ConsoleContext,
  db: DatabaseRules | undefined,
  v: View,
  status: 200 | AppErrorStatus = 200,
) {
  const ctx = c.get('ctx');
  const versions = db ? await db.versions(50) : undefined;
  const failed = v.error ?? (v.result && !v.result.ok ? v.result.error : undefined);
  return c.html(
    <Layout ctx={ctx} title="Routing rules" section="rules">
      {failed ? (
        <Message kind="error">
          {failed.split('\n').map((l) => (
            <div>{l}</div>
          ))}
        </Message>
      ) : null}
      {v.info ? <Message kind="info">{v.info}</Message> : null}
      {v.result?.ok ? <Decision result={v.result} draft={!!v.draftEngine} /> : null}
      <form method="post" action="/console/rules/dry-run" class="split">
        <CsrfField token={ctx.csrf} />
        <Editor db={db} view={v} />
        <DryRunFields input={v.input} />
      </form>
      <section class="card scroll">
        <h2>
          {v.draftEngine
            ? 'Rules with the draft, in the order they would run'
            : 'Rules in force, in the order they run'}
        </h2>
        <p class="muted small">
          File rules are read-only here: change them in the rule files (routing.rulesDir).
        </p>
        {!v.engine ? (
          <p class="muted">The routing rules are not loaded yet.</p>
        ) : (v.draftEngine ?? v.engine).rules.length === 0 ? (
          <p class="muted">
            No rules: every query goes to its user's default group or the configured default.
          </p>
        ) : (
          <RulesTable engine={v.draftEngine ?? v.engine} result={v.result} />
        )}
      </section>
      {versions ? <Versions versions={versions} shown={v.shown} /> : null}
    </Layout>,
    status,
  );
}

/** The editor's text on GET: a stored version asked for (?version=), else the version in force. */
async function draftOf(
  db: DatabaseRules | undefined,
  asked: string | undefined,
): Promise<{ draft: Draft; shown?: number }> {
  const current = db?.current();
  const base = current?.version ?? 0;
  const n = Number(asked);
  const old = asked && Number.isSafeInteger(n) ? await db?.version(n) : undefined;
  if (old)
    return { draft: { yaml: old.yaml, base, note: `restore version ${old.version}` }, shown: old.version };
  return { draft: { yaml: current?.yaml ?? '', base }, shown: current?.version };
}

/**
 * Routing rules: the rules in force (files and database), the database rules' editor with the dry run
 * beside it (run against the draft), and the versions (audit trail).
 */
export function registerRules(
  app: ConsoleApp,
  k: ConsoleKit,
  rules: () => RuleEngine | undefined,
  db?: DatabaseRules,
): void {
  const saved = (n: number) => `Version ${n} saved and in force.`;
  app.get('/console/rules', async (c) => {
    const n = Number(c.req.query('saved'));
    const info = Number.isSafeInteger(n) && (await db?.version(n)) ? saved(n) : undefined;
    return render(c, db, { engine: rules(), ...(await draftOf(db, c.req.query('version'))), info });
  });

  app.post('/console/rules/dry-run', (c) => {
    const f = c.get('form');
    const input: DryRunInput = { user: f.user ?? '', headers: f.headers ?? '', sql: f.sql ?? '' };
    const engine = rules();
    const current = db?.current();
    const draft: Draft = {
      yaml: lf(f.rules ?? current?.yaml ?? ''),
      base: Number(f.baseVersion) || 0,
      note: f.note,
    };
    const view: View = { engine, draft, input };
    if (!engine) return render(c, db, { ...view, error: 'The routing rules are not loaded yet.' }, 400);
    let used = engine;
    if (db && f.rules !== undefined && draft.yaml !== (current?.yaml ?? '')) {
      try {
        used = view.draftEngine = engine.withDatabaseRules(db.validate(draft.yaml));
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return render(c, db, { ...view, error: `The draft is not valid:\n${e.message}` }, 400);
      }
    }
    const { registry, picker, users, defaultGroup } = k.deps;
    const result = dryRun(input, { engine: used, registry, picker, users, defaultGroup });
    return render(c, db, { ...view, result }, result.ok ? 200 : 400);
  });

  app.post('/console/rules/save', async (c) => {
    const f = c.get('form');
    const draft: Draft = { yaml: lf(f.rules ?? ''), base: Number(f.baseVersion) || 0, note: f.note };
    if (!db) return render(c, db, { engine: rules(), draft, error: 'Rule editing is not available.' }, 400);
    try {
      const v = await db.save(draft.yaml, c.get('user').name, draft.base, f.note);
      return c.redirect(`/console/rules?saved=${v.version}`, 303);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const error = `Not saved; the rules in force are unchanged.\n${e.message}`;
      return render(c, db, { engine: rules(), draft, error, input: undefined }, e.status);
    }
  });
}
