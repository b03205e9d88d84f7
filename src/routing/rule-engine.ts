import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from '../observability/logger.js';
import type { RequestFacts } from './request-facts.js';
import { loadRuleDir, type LoadedRule } from './rule-loader.js';
import { compileRules, type CompiledRule } from './rule-matcher.js';

/** A rule that matched but whose group could not be used, and why. */
export interface SkippedRule {
  rule: string;
  group: string;
  reason: string;
}

/** What the rules decided: the group and the rule that set it last, or no group when none matched. */
export interface RuleDecision {
  group?: string;
  rule?: string;
  /** The queue priority of the rule that set the group, when it sets one. */
  queuePriority?: number;
  /** Rules that matched and set the group, in order (more than one only through `continue: true`). */
  matched: string[];
  skipped: SkippedRule[];
}

/** Says why a group cannot be used, or undefined when it can. */
export type GroupCheck = (group: string) => string | undefined;

export type ReloadResult = { ok: true; changed: boolean; rules: number } | { ok: false; error: string };

export interface RuleEngineOptions {
  /** Directory of *.yaml / *.yml rule files. */
  dir: string;
  logger: Logger;
  metrics?: Metrics;
  /** Reload when a file in the directory changes. Default true. */
  watch?: boolean;
  /** Quiet time after the last change before reloading, in ms. Default 200. */
  debounceMs?: number;
  /** Aborting stops the watching (the gateway's stop signal). */
  signal?: AbortSignal;
}

/**
 * RuleEngine holds the rule set in force: the rule files' rules and the database rules (edited through the
 * API or the console), run as one list by ascending priority; ties run file rules first (by file name, then
 * position in the file), then database rules (by position). The first match wins, unless that rule says
 * `continue: true`: then later matching rules run too and the last routeTo wins. A new version of the
 * files, or of the database rules, replaces its set only when all of it is valid; otherwise the old rules
 * stay in force, the error is logged and counted.
 */
export class RuleEngine {
  private current: readonly CompiledRule[];
  private fileRules: readonly LoadedRule[];
  private dbRules: readonly LoadedRule[] = [];
  private fingerprint: string;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    rules: readonly LoadedRule[],
    fingerprint: string,
    private readonly opts: Partial<RuleEngineOptions> & { logger: Logger },
  ) {
    this.fileRules = rules;
    this.current = compileRules(rules);
    this.fingerprint = fingerprint;
  }

  /** The rules of the rule files, as loaded (not yet ordered). */
  get files(): readonly LoadedRule[] {
    return this.fileRules;
  }

  /** setDatabaseRules puts a validated database rule set in force beside the file rules. */
  setDatabaseRules(rules: readonly LoadedRule[]): void {
    this.dbRules = rules;
    this.current = compileRules([...this.fileRules, ...rules]);
  }

  /** withDatabaseRules is an engine over these files' rules and a draft database set, for dry runs. */
  withDatabaseRules(rules: readonly LoadedRule[]): RuleEngine {
    const draft = RuleEngine.fromRules(this.fileRules, this.opts.logger);
    draft.setDatabaseRules(rules);
    return draft;
  }

  /** open loads the directory (throwing RuleLoadError when invalid) and starts watching it. */
  static async open(opts: RuleEngineOptions): Promise<RuleEngine> {
    const rules = await loadRuleDir(opts.dir);
    const engine = new RuleEngine(rules, fingerprintOf(rules), opts);
    if (opts.watch !== false && !opts.signal?.aborted) {
      engine.startWatching(opts.dir);
      opts.signal?.addEventListener('abort', () => engine.close(), { once: true });
    }
    opts.logger.info({ dir: opts.dir, rules: rules.length }, 'routing rules loaded');
    return engine;
  }

  /** fromRules makes an engine over a fixed rule set (tests, benchmarks, dry runs); reload() keeps it. */
  static fromRules(rules: readonly LoadedRule[], logger: Logger): RuleEngine {
    return new RuleEngine(rules, fingerprintOf(rules), { logger });
  }

  /** The rules in force, in the order they run. */
  get rules(): readonly CompiledRule[] {
    return this.current;
  }

  /**
   * decide runs the rules against the facts. A matching rule whose group `check` refuses is skipped (and
   * recorded) as if it had not matched, so a later rule may still route the query.
   */
  decide(facts: RequestFacts, check?: GroupCheck): RuleDecision {
    const decision: RuleDecision = { matched: [], skipped: [] };
    for (const rule of this.current) {
      if (!rule.matches(facts)) continue;
      const refused = check?.(rule.routeTo);
      if (refused !== undefined) {
        decision.skipped.push({ rule: rule.name, group: rule.routeTo, reason: refused });
        continue;
      }
      decision.group = rule.routeTo;
      decision.rule = rule.name;
      decision.queuePriority = rule.queuePriority;
      decision.matched.push(rule.name);
      if (!rule.continue) break;
    }
    return decision;
  }

  /**
   * reload re-reads the directory (the gateway calls it on SIGHUP; file changes call it too). Reloads run
   * one at a time. An invalid version leaves the rules in force unchanged.
   */
  reload(): Promise<ReloadResult> {
    const next = this.queue.then(() => this.load());
    this.queue = next;
    return next;
  }

  /** close stops watching the directory. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async load(): Promise<ReloadResult> {
    const { dir, logger, metrics } = this.opts;
    if (dir === undefined) return { ok: true, changed: false, rules: this.current.length };
    try {
      const rules = await loadRuleDir(dir);
      const fingerprint = fingerprintOf(rules);
      if (fingerprint === this.fingerprint) return { ok: true, changed: false, rules: rules.length };
      this.fileRules = rules;
      this.current = compileRules([...rules, ...this.dbRules]);
      this.fingerprint = fingerprint;
      metrics?.ruleReloads.inc({ outcome: 'ok' });
      logger.info({ dir, rules: rules.length }, 'routing rules reloaded');
      return { ok: true, changed: true, rules: rules.length };
    } catch (e) {
      const error = (e as Error).message;
      metrics?.ruleReloads.inc({ outcome: 'error' });
      logger.error({ dir, error }, 'routing rules reload failed; the previous rules stay in force');
      return { ok: false, error };
    }
  }

  /**
   * Any change in the directory schedules a reload, whatever the file name: Kubernetes ConfigMaps swap a
   * `..data` symlink rather than touching the *.yaml names. Unchanged content is a no-op.
   */
  private startWatching(dir: string): void {
    try {
      this.watcher = watch(dir, { persistent: false }, () => this.schedule());
      this.watcher.on('error', (e) =>
        this.opts.logger.warn({ dir, error: e.message }, 'watching routing rules failed'),
      );
    } catch (e) {
      this.opts.logger.warn(
        { dir, error: (e as Error).message },
        'cannot watch routing rules; reload on SIGHUP',
      );
    }
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.opts.debounceMs ?? 200);
    this.timer.unref();
  }
}

function fingerprintOf(rules: readonly LoadedRule[]): string {
  return createHash('sha256').update(JSON.stringify(rules)).digest('hex');
}
