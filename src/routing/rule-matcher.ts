import type { RequestFacts } from './request-facts.js';
import type { LoadedRule } from './rule-loader.js';
import { SQL_FACTS, type Condition, type ListMatcher, type StringMatcher } from './rule-schema.js';

/**
 * A compiled condition: closures built once per rule set (regexes compiled, lists turned into sets), no
 * eval. test() is the hot path; explain() evaluates every part and says why, for the dry-run API.
 */
export interface Check {
  /** Whether the check reads facts that need the SQL analysed. */
  readonly sql: boolean;
  test(facts: RequestFacts): boolean;
  explain(facts: RequestFacts, reasons: string[]): boolean;
}

/** A rule ready to run. */
export interface CompiledRule {
  readonly name: string;
  readonly description?: string;
  readonly priority: number;
  readonly routeTo: string;
  /** The queue priority its actions set (undefined: the default, 0). */
  readonly queuePriority?: number;
  readonly continue: boolean;
  readonly file: string;
  readonly line: number;
  readonly usesSql: boolean;
  matches(facts: RequestFacts): boolean;
  explain(facts: RequestFacts): { matched: boolean; reasons: string[] };
}

/** compileRules compiles rules and orders them: ascending priority, ties in the order given (file, then position). */
export function compileRules(rules: readonly LoadedRule[]): CompiledRule[] {
  return rules
    .map((r, order) => ({ r: compileRule(r), order }))
    .sort((a, b) => a.r.priority - b.r.priority || a.order - b.order)
    .map(({ r }) => r);
}

export function compileRule({ spec, file, line }: LoadedRule): CompiledRule {
  const check = compileCondition(spec.condition);
  return {
    name: spec.name,
    description: spec.description,
    priority: spec.priority,
    routeTo: spec.actions.routeTo,
    queuePriority: spec.actions.queuePriority,
    continue: spec.continue,
    file,
    line,
    usesSql: check.sql,
    matches: check.test,
    explain(facts) {
      const reasons: string[] = [];
      return { matched: check.explain(facts, reasons), reasons };
    },
  };
}

type Get<T> = (f: RequestFacts) => T;

const STRING_GETTERS: Record<string, Get<string | undefined>> = {
  user: (f) => f.user,
  source: (f) => f.source,
  clientInfo: (f) => f.clientInfo,
  catalog: (f) => f.catalog,
  schema: (f) => f.schema,
  statementType: (f) => f.sql.statementType,
};
const LIST_GETTERS: Record<string, Get<readonly string[]>> = {
  clientTags: (f) => f.clientTags,
  groups: (f) => f.groups,
  catalogs: (f) => f.sql.catalogs,
  schemas: (f) => f.sql.schemas,
  tables: (f) => f.sql.tables,
};

/** compileCondition: every key of the object must hold; the ones not needing SQL are tested first. */
export function compileCondition(c: Condition): Check {
  const checks: Check[] = [];
  for (const [key, value] of Object.entries(c)) {
    if (value === undefined) continue;
    const sql = SQL_FACTS.has(key);
    if (key in STRING_GETTERS)
      checks.push(leaf(key, STRING_GETTERS[key], sql, stringTests(value as StringMatcher)));
    else if (key in LIST_GETTERS)
      checks.push(leaf(key, LIST_GETTERS[key], sql, listTests(value as ListMatcher)));
    else if (key === 'header') checks.push(headerCheck(value as NonNullable<Condition['header']>));
    else if (key === 'ddl') checks.push(leaf('ddl', (f) => f.sql.ddl, true, [boolTest(value as boolean)]));
    else if (key === 'all') checks.push(and((value as Condition[]).map(compileCondition), 'all'));
    else if (key === 'any') checks.push(or((value as Condition[]).map(compileCondition)));
    else if (key === 'not') checks.push(not(compileCondition(value as Condition)));
  }
  if (checks.length === 0) return ALWAYS;
  return checks.length === 1 ? checks[0] : and(checks);
}

const ALWAYS: Check = {
  sql: false,
  test: () => true,
  explain(_f, reasons) {
    reasons.push('no condition: always matches');
    return true;
  },
};

interface Test<T> {
  desc: string;
  fn: (value: T) => boolean;
}

function leaf<T>(label: string, get: Get<T>, sql: boolean, tests: Test<T>[]): Check {
  const only = tests.length === 1 ? tests[0].fn : undefined;
  return {
    sql,
    test: only
      ? (f) => only(get(f))
      : (f) => {
          const v = get(f);
          for (const t of tests) if (!t.fn(v)) return false;
          return true;
        },
    explain(f, reasons) {
      const v = get(f);
      let ok = true;
      for (const t of tests) {
        const passed = t.fn(v);
        ok &&= passed;
        reasons.push(`${label} ${show(v)} ${passed ? 'passes' : 'fails'} ${t.desc}`);
      }
      return ok;
    },
  };
}

function headerCheck(m: NonNullable<Condition['header']>): Check {
  const name = m.name.toLowerCase();
  return leaf(`header ${name}`, (f) => f.headers[name], false, stringTests(m));
}

function and(checks: Check[], label?: string): Check {
  // Cheap checks first, so that the SQL is analysed only when everything else already holds.
  const sorted = [...checks].sort((a, b) => Number(a.sql) - Number(b.sql));
  return {
    sql: checks.some((c) => c.sql),
    test(f) {
      for (const c of sorted) if (!c.test(f)) return false;
      return true;
    },
    explain(f, reasons) {
      let ok = true;
      checks.forEach((c, i) => {
        ok = explainInto(c, f, reasons, label ? `${label}[${i}]: ` : '') && ok;
      });
      return ok;
    },
  };
}

function or(checks: Check[]): Check {
  const sorted = [...checks].sort((a, b) => Number(a.sql) - Number(b.sql));
  return {
    sql: checks.some((c) => c.sql),
    test(f) {
      for (const c of sorted) if (c.test(f)) return true;
      return false;
    },
    explain(f, reasons) {
      let ok = false;
      checks.forEach((c, i) => {
        ok = explainInto(c, f, reasons, `any[${i}]: `) || ok;
      });
      if (!ok) reasons.push('any: no alternative matched');
      return ok;
    },
  };
}

function not(check: Check): Check {
  return {
    sql: check.sql,
    test: (f) => !check.test(f),
    explain(f, reasons) {
      const inner = explainInto(check, f, reasons, 'not: ');
      reasons.push(
        inner ? 'not: the condition held, so not fails' : 'not: the condition failed, so not passes',
      );
      return !inner;
    },
  };
}

function explainInto(c: Check, f: RequestFacts, reasons: string[], prefix: string): boolean {
  const mine: string[] = [];
  const ok = c.explain(f, mine);
  for (const r of mine) reasons.push(prefix + r);
  return ok;
}

function stringTests(m: StringMatcher): Test<string | undefined>[] {
  const ic = m.ignoreCase === true;
  const fold = ic ? (s: string) => s.toLowerCase() : (s: string) => s;
  const tests: Test<string | undefined>[] = [];
  if (m.exists !== undefined) {
    const want = m.exists;
    tests.push({ desc: want ? 'exists' : 'is absent', fn: (v) => (v !== undefined) === want });
  }
  if (m.equals !== undefined) {
    const e = fold(m.equals);
    tests.push({ desc: `equals ${q(m.equals)}`, fn: (v) => v !== undefined && fold(v) === e });
  }
  if (m.in !== undefined) {
    const set = new Set(m.in.map(fold));
    tests.push({ desc: `in ${JSON.stringify(m.in)}`, fn: (v) => v !== undefined && set.has(fold(v)) });
  }
  if (m.regex !== undefined) {
    const re = fullMatch(m.regex, ic);
    tests.push({ desc: `regex ${q(m.regex)}`, fn: (v) => v !== undefined && re.test(v) });
  }
  if (m.contains !== undefined) {
    const e = fold(m.contains);
    tests.push({ desc: `contains ${q(m.contains)}`, fn: (v) => v !== undefined && fold(v).includes(e) });
  }
  if (m.startsWith !== undefined) {
    const e = fold(m.startsWith);
    tests.push({
      desc: `startsWith ${q(m.startsWith)}`,
      fn: (v) => v !== undefined && fold(v).startsWith(e),
    });
  }
  if (m.endsWith !== undefined) {
    const e = fold(m.endsWith);
    tests.push({ desc: `endsWith ${q(m.endsWith)}`, fn: (v) => v !== undefined && fold(v).endsWith(e) });
  }
  return tests;
}

function listTests(m: ListMatcher): Test<readonly string[]>[] {
  const ic = m.ignoreCase === true;
  const fold = ic ? (s: string) => s.toLowerCase() : (s: string) => s;
  const has = (v: readonly string[], e: string): boolean =>
    ic ? v.some((x) => fold(x) === e) : v.includes(e);
  const tests: Test<readonly string[]>[] = [];
  if (m.exists !== undefined) {
    const want = m.exists;
    tests.push({ desc: want ? 'is not empty' : 'is empty', fn: (v) => v.length > 0 === want });
  }
  if (m.contains !== undefined) {
    const e = fold(m.contains);
    tests.push({ desc: `contains ${q(m.contains)}`, fn: (v) => has(v, e) });
  }
  if (m.containsAny !== undefined) {
    const set = new Set(m.containsAny.map(fold));
    tests.push({
      desc: `containsAny ${JSON.stringify(m.containsAny)}`,
      fn: (v) => v.some((x) => set.has(fold(x))),
    });
  }
  if (m.containsAll !== undefined) {
    const all = m.containsAll.map(fold);
    tests.push({
      desc: `containsAll ${JSON.stringify(m.containsAll)}`,
      fn: (v) => all.every((e) => has(v, e)),
    });
  }
  if (m.regex !== undefined) {
    const re = fullMatch(m.regex, ic);
    tests.push({ desc: `regex ${q(m.regex)} (some element)`, fn: (v) => v.some((x) => re.test(x)) });
  }
  return tests;
}

function boolTest(want: boolean): Test<boolean> {
  return { desc: `is ${want}`, fn: (v) => v === want };
}

/** Regexes match the whole value, like Java's String.matches() in trino-gateway's MVEL rules. */
function fullMatch(source: string, ignoreCase: boolean): RegExp {
  return new RegExp(`^(?:${source})$`, ignoreCase ? 'i' : '');
}

const q = (s: string): string => JSON.stringify(s);
const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));
