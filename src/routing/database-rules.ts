import { stringify } from 'yaml';
import { AppError } from '../app-error.js';
import type { Logger } from '../observability/logger.js';
import type { RuleEngine } from './rule-engine.js';
import { parseRuleFiles, type LoadedRule, type RuleIssue } from './rule-loader.js';
import type { RuleSpec } from './rule-schema.js';
import type { RuleVersionStore } from '../store/ports.js';
import type { RuleVersion, RuleVersionSummary } from './rule-version-repo.js';

/** The "file" database rules are located in, in explanations and messages (`database:12`). */
export const DATABASE_RULES = 'database';
/** Largest rule set text and rule count accepted: the set is compiled on every save and at start. */
export const MAX_RULES_BYTES = 64 * 1024;
export const MAX_RULES = 500;

/**
 * ruleSetRefused: a rule set refused, 400 with every problem (line, rule, field: reason) in `issues`, or 409
 * when not saved on the newest version.
 */
function ruleSetRefused(status: 400 | 409, message: string, issues: readonly RuleIssue[] = []): AppError {
  return new AppError(status, message, { issues });
}

export interface DatabaseRulesDeps {
  repo: RuleVersionStore;
  /** The engine the saved rules go into (absent before the gateway started). */
  engine: () => RuleEngine | undefined;
  /** Names of the routing groups that exist now: a rule must route to one. */
  groups: () => ReadonlySet<string>;
  logger: Pick<Logger, 'info' | 'error'>;
  now?: () => number;
}

const issueText = (i: RuleIssue) =>
  `line ${i.line}: ${i.rule !== undefined ? `rule "${i.rule}": ` : ''}${i.message}`;

/**
 * DatabaseRules keeps the routing rules edited through the API and the console: validated as a whole
 * (the rule language of the files, names unique against the file rules, every routeTo an existing group)
 * before they are stored as a new version and put in force; a refused set changes nothing.
 */
export class DatabaseRules {
  /** The newest stored version, as last loaded or saved here (memory: read on every rules view). */
  private inForce: RuleVersion | undefined;

  private readonly listeners: Array<() => void> = [];

  constructor(private readonly d: DatabaseRulesDeps) {}

  /** onSaved calls fn after each version saved here (other processes are told to load it). */
  onSaved(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** The version in force, or undefined when no database rules were ever saved (or load has not run). */
  current(): RuleVersion | undefined {
    return this.inForce;
  }

  versions(limit = 100): Promise<RuleVersionSummary[]> {
    return this.d.repo.list(limit);
  }

  async version(n: number): Promise<RuleVersion | undefined> {
    return n === this.inForce?.version ? this.inForce : this.d.repo.get(n);
  }

  /** validate parses a rule set's YAML; a 400 AppError lists every problem (`issues`), each naming the field. */
  validate(yaml: string): LoadedRule[] {
    if (Buffer.byteLength(yaml) > MAX_RULES_BYTES)
      throw ruleSetRefused(400, `rules: larger than ${MAX_RULES_BYTES} bytes`);
    const { rules, issues } = parseRuleFiles([{ file: DATABASE_RULES, text: yaml }]);
    if (rules.length > MAX_RULES)
      issues.push({ file: DATABASE_RULES, line: 1, message: `more than ${MAX_RULES} rules` });
    const files = new Map((this.d.engine()?.files ?? []).map((r) => [r.spec.name, r]));
    const groups = this.d.groups();
    for (const r of rules) {
      const clash = files.get(r.spec.name);
      if (clash)
        issues.push({
          file: DATABASE_RULES,
          line: r.line,
          rule: r.spec.name,
          message: `name: already the name of a file rule (${clash.file}:${clash.line})`,
        });
      if (!groups.has(r.spec.actions.routeTo))
        issues.push({
          file: DATABASE_RULES,
          line: r.line,
          rule: r.spec.name,
          message: `actions.routeTo: routing group "${r.spec.actions.routeTo}" does not exist (groups: ${[...groups].sort().join(', ')})`,
        });
    }
    if (issues.length > 0) throw ruleSetRefused(400, issues.map(issueText).join('\n'), issues);
    return rules;
  }

  /**
   * save validates, stores the set as version base+1 and puts it in force. `base` is the version the
   * editor started from: when another save came since, nothing is stored (409), so no edit is lost.
   */
  async save(yaml: string, author: string, base: number, note?: string): Promise<RuleVersion> {
    const rules = this.validate(yaml);
    // The store's newest, not memory's: another replica may have saved since.
    const previous = await this.d.repo.latest();
    if ((previous?.version ?? 0) !== base)
      throw ruleSetRefused(
        409,
        `the rules changed since version ${base} (now version ${previous?.version ?? 0} by ${previous?.author}); reload and apply your edit again`,
      );
    const why = note?.trim().slice(0, 500);
    const summary = [describeChange(previous ? this.validateQuietly(previous.yaml) : [], rules), why]
      .filter(Boolean)
      .join(' — ');
    const saved = await this.d.repo.add(base, {
      yaml,
      author,
      summary,
      createdAt: (this.d.now ?? Date.now)(),
    });
    if (!saved)
      throw ruleSetRefused(409, `the rules changed since version ${base}; reload and apply your edit again`);
    if (saved.version > (this.inForce?.version ?? 0)) this.inForce = saved;
    this.d.engine()?.setDatabaseRules(rules);
    for (const fn of this.listeners) fn();
    this.d.logger.info(
      { version: saved.version, author, summary, rules: rules.length },
      'database routing rules saved',
    );
    return saved;
  }

  /**
   * load puts the stored version in force (at start). Only the rule language is checked: a group deleted
   * since is skipped at routing time, as it is for file rules.
   */
  async load(): Promise<void> {
    const v = (this.inForce = await this.d.repo.latest());
    if (!v) return;
    const { rules, issues } = parseRuleFiles([{ file: DATABASE_RULES, text: v.yaml }]);
    if (issues.length > 0) {
      this.d.logger.error(
        { version: v.version, error: issues.map(issueText).join('; ') },
        'stored database routing rules are invalid; none are in force',
      );
      return;
    }
    this.d.engine()?.setDatabaseRules(rules);
    this.d.logger.info({ version: v.version, rules: rules.length }, 'database routing rules loaded');
  }

  private validateQuietly(yaml: string): LoadedRule[] {
    return parseRuleFiles([{ file: DATABASE_RULES, text: yaml }]).rules;
  }

  /** The rules of a stored text, as specs (stored texts were valid when saved). */
  validateQuietlyRules(yaml: string): RuleSpec[] {
    return this.validateQuietly(yaml).map((r) => r.spec);
  }
}

/** yamlOf writes rules given as JSON (the API) as the YAML the editor shows. */
export const yamlOf = (rules: readonly RuleSpec[]): string => (rules.length ? stringify(rules) : '');

/** describeChange names the rules added, changed and removed between two versions. */
export function describeChange(before: readonly LoadedRule[], after: readonly LoadedRule[]): string {
  const old = new Map(before.map((r) => [r.spec.name, JSON.stringify(r.spec)]));
  const now = new Map(after.map((r) => [r.spec.name, JSON.stringify(r.spec)]));
  const added = [...now.keys()].filter((n) => !old.has(n));
  const removed = [...old.keys()].filter((n) => !now.has(n));
  const changed = [...now.keys()].filter((n) => old.has(n) && old.get(n) !== now.get(n));
  const parts = [
    added.length ? `added ${added.join(', ')}` : '',
    changed.length ? `changed ${changed.join(', ')}` : '',
    removed.length ? `removed ${removed.join(', ')}` : '',
  ].filter(Boolean);
  if (parts.length) return parts.join('; ');
  return [...old.keys()].join() === [...now.keys()].join() ? 'no rule changed' : 'reordered';
}
