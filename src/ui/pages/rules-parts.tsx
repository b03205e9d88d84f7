import { basename } from 'node:path';
import { DATABASE_RULES } from '../../routing/database-rules.js';
import type { RuleEngine } from '../../routing/rule-engine.js';
import type { RuleVersionSummary } from '../../routing/rule-version-repo.js';
import type { DryRunResult } from '../dry-run.js';
import { formatTime } from '../format.js';
import { Cell } from '../layout.js';

const SOURCES: Record<string, (rule?: string) => string> = {
  header: () => 'the X-Trino-Routing-Group header',
  rule: (rule) => `rule ${rule}`,
  'principal-default': () => "the user's default group",
  'config-default': () => 'the configured default group',
};

export function Decision({ result, draft }: { result: Extract<DryRunResult, { ok: true }>; draft: boolean }) {
  const d = result.explanation.decision;
  return (
    <section class="card" id="decision">
      <h2>Decision{draft ? ' (with the draft in the editor, not saved)' : ''}</h2>
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

const origin = (file: string, line: number) =>
  file === DATABASE_RULES ? `database, line ${line}` : `${basename(file)}:${line}`;

export function RulesTable({ engine, result }: { engine: RuleEngine; result?: DryRunResult }) {
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
            <tr data-rule={r.name} data-origin={r.file === DATABASE_RULES ? 'database' : 'file'}>
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
              <Cell label="Defined at" class="mono small">
                {origin(r.file, r.line)}
              </Cell>
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

/** The audit trail of the database rules: every version, who saved it, and what changed. */
export function Versions({ versions, shown }: { versions: RuleVersionSummary[]; shown?: number }) {
  return (
    <section class="card scroll" id="versions">
      <h2>Versions of the database rules</h2>
      {versions.length === 0 ? (
        <p class="muted">None saved yet.</p>
      ) : (
        <table class="stack">
          <thead>
            <tr>
              <th class="num">Version</th>
              <th>Saved (UTC)</th>
              <th>By</th>
              <th>What changed</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v, i) => (
              <tr data-version={String(v.version)}>
                <Cell label="Version" class="num">
                  {v.version}
                  {i === 0 ? <span class="badge ok">in force</span> : null}
                </Cell>
                <Cell label="Saved">{formatTime(v.createdAt)}</Cell>
                <Cell label="By">{v.author}</Cell>
                <Cell label="What changed">{v.summary}</Cell>
                <Cell label="">
                  {v.version === shown ? (
                    <span class="muted small">in the editor</span>
                  ) : (
                    <a href={`/console/rules?version=${v.version}#editor`}>Load into the editor</a>
                  )}
                </Cell>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
