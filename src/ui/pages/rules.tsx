import { basename } from 'node:path';
import type { RuleEngine } from '../../routing/rule-engine.js';
import type { ConsoleApp, ConsoleContext, ConsoleKit } from '../console-app.js';
import { dryRun, type DryRunInput, type DryRunResult } from '../dry-run.js';
import { Cell, CsrfField, Layout, Message } from '../layout.js';

const SOURCES: Record<string, (rule?: string) => string> = {
  header: () => 'the X-Trino-Routing-Group header',
  rule: (rule) => `rule ${rule}`,
  'principal-default': () => "the user's default group",
  'config-default': () => 'the configured default group',
};

function Decision({ result }: { result: Extract<DryRunResult, { ok: true }> }) {
  const d = result.explanation.decision;
  return (
    <section class="card" id="decision">
      <h2>Decision</h2>
      {!result.knownUser ? (
        <p class="muted small">
          This user is not in the user directory: the dry run assumed one that may use every group.
        </p>
      ) : null}
      {d.ok ? (
        <p>
          Routing group <b data-result="group">{d.group}</b>, chosen by {SOURCES[d.source](d.rule)}.{' '}
          {result.pick ? (
            <>
              Backend <b data-result="backend">{result.pick.backend}</b> ({result.pick.policy}
              {result.pick.group !== d.group ? `, from fallback group ${result.pick.group}` : ''}).
            </>
          ) : (
            <span class="badge bad">no available backend: the query would get 503</span>
          )}
        </p>
      ) : (
        <p>
          <span class="badge bad">refused ({d.status})</span> {d.message}
        </p>
      )}
      {d.ok && d.skipped ? (
        <ul class="reasons small">
          {d.skipped.map((s) => (
            <li>{`rule ${s.rule} skipped: ${s.reason}`}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function RulesTable({ engine, result }: { engine: RuleEngine; result?: DryRunResult }) {
  const verdicts = result?.ok ? new Map(result.explanation.rules.map((r) => [r.name, r])) : undefined;
  return (
    <table class="stack">
      <thead>
        <tr>
          <th class="num">Priority</th>
          <th>Rule</th>
          <th>Routes to</th>
          <th>Defined at</th>
          {verdicts ? <th>Dry run</th> : null}
        </tr>
      </thead>
      <tbody>
        {engine.rules.map((r) => {
          const v = verdicts?.get(r.name);
          return (
            <tr data-rule={r.name}>
              <Cell label="Priority" class="num">
                {r.priority}
              </Cell>
              <Cell label="Rule">
                <b>{r.name}</b>
                {r.description ? <div class="muted small">{r.description}</div> : null}
              </Cell>
              <Cell label="Routes to">
                {r.routeTo}
                {r.continue ? <span class="muted small"> (continue)</span> : null}
              </Cell>
              <Cell label="Defined at" class="mono small">{`${basename(r.file)}:${r.line}`}</Cell>
              {verdicts ? (
                <Cell label="Dry run" class="wide">
                  {v ? (
                    <>
                      <span class={`badge ${v.matched ? 'ok' : 'off'}`}>
                        {v.matched ? 'matched' : 'no match'}
                      </span>
                      {v.effect ? <span class="small"> {v.effect}</span> : null}
                      <ul class="reasons small">
                        {v.reasons.map((x) => (
                          <li>{x}</li>
                        ))}
                      </ul>
                    </>
                  ) : null}
                </Cell>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function render(
  c: ConsoleContext,
  engine: RuleEngine | undefined,
  input?: DryRunInput,
  result?: DryRunResult,
  status: 200 | 400 | 503 = result && !result.ok ? 400 : 200,
) {
  const ctx = c.get('ctx');
  return c.html(
    <Layout ctx={ctx} title="Routing rules" section="rules">
      {result && !result.ok ? <Message kind="error">{result.error}</Message> : null}
      {result?.ok ? <Decision result={result} /> : null}
      <section class="card scroll">
        <h2>Rules in force, in the order they run</h2>
        {!engine ? (
          <p class="muted">The routing rules are not loaded yet.</p>
        ) : engine.rules.length === 0 ? (
          <p class="muted">
            No rules: every query goes to its user's default group or the configured default.
          </p>
        ) : (
          <RulesTable engine={engine} result={result} />
        )}
      </section>
      <form class="card" method="post" action="/console/rules/dry-run">
        <h2>Dry run</h2>
        <CsrfField token={ctx.csrf} />
        <label for="user">User</label>
        <input id="user" name="user" required value={input?.user ?? ''} />
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
          <button class="primary" type="submit">
            Explain
          </button>
        </p>
      </form>
    </Layout>,
    status,
  );
}

/** Routing rules: the rules in force and a dry run explaining the decision rule by rule. */
export function registerRules(app: ConsoleApp, k: ConsoleKit, rules: () => RuleEngine | undefined): void {
  app.get('/console/rules', (c) => render(c, rules()));

  app.post('/console/rules/dry-run', (c) => {
    const f = c.get('form');
    const input: DryRunInput = { user: f.user ?? '', headers: f.headers ?? '', sql: f.sql ?? '' };
    const engine = rules();
    if (!engine)
      return render(c, engine, input, { ok: false, error: 'The routing rules are not loaded yet.' });
    const { registry, picker, users, defaultGroup } = k.deps;
    return render(c, engine, input, dryRun(input, { engine, registry, picker, users, defaultGroup }));
  });
}
