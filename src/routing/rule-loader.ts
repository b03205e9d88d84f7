import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, isMap, isNode, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { z } from 'zod';
import { ruleSchema, type RuleSpec } from './rule-schema.js';

/** A validated rule and where it was written. */
export interface LoadedRule {
  readonly spec: RuleSpec;
  readonly file: string;
  /** 1-based line of the rule in its file. */
  readonly line: number;
}

/** One problem in a rule file: the file, the line, and the rule it belongs to when known. */
export interface RuleIssue {
  file: string;
  line: number;
  rule?: string;
  message: string;
}

const formatIssue = (i: RuleIssue): string =>
  `${i.file}${i.line > 0 ? `:${i.line}` : ''}: ${i.rule !== undefined ? `rule "${i.rule}": ` : ''}${i.message}`;

/** RuleLoadError lists every problem found, one per line, each naming file, line and rule. */
export class RuleLoadError extends Error {
  constructor(readonly issues: readonly RuleIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'RuleLoadError';
  }
}

/** Rule files are *.yaml and *.yml; hidden files (editor leftovers) are not. */
export const isRuleFile = (name: string): boolean => /^[^.].*\.ya?ml$/i.test(name);

/**
 * loadRuleDir loads every rule file of a directory, in file-name order, and rejects the whole set when any
 * file has a problem (unknown field, wrong type, bad regex, duplicate rule name across files).
 */
export async function loadRuleDir(dir: string): Promise<LoadedRule[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isRuleFile).sort();
  } catch (e) {
    throw new RuleLoadError([
      { file: dir, line: 0, message: `cannot read the rules directory: ${(e as Error).message}` },
    ]);
  }
  const files: { file: string; text: string }[] = [];
  const issues: RuleIssue[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      files.push({ file, text: await readFile(file, 'utf8') });
    } catch (e) {
      issues.push({ file, line: 0, message: `cannot read: ${(e as Error).message}` });
    }
  }
  const { rules, issues: more } = parseRuleFiles(files);
  issues.push(...more);
  if (issues.length > 0) throw new RuleLoadError(issues);
  return rules;
}

/** parseRuleFiles validates rule files given as text (in order), and checks names are unique across them. */
export function parseRuleFiles(files: readonly { file: string; text: string }[]): {
  rules: LoadedRule[];
  issues: RuleIssue[];
} {
  const rules: LoadedRule[] = [];
  const issues: RuleIssue[] = [];
  const byName = new Map<string, LoadedRule>();
  for (const { file, text } of files) {
    for (const rule of parseFile(text, file, issues)) {
      const first = byName.get(rule.spec.name);
      if (first) {
        const message = `duplicate rule name, first defined at ${first.file}:${first.line}`;
        issues.push({ file, line: rule.line, rule: rule.spec.name, message });
        continue;
      }
      byName.set(rule.spec.name, rule);
      rules.push(rule);
    }
  }
  return { rules, issues };
}

/** parseRuleText validates one file's text; throws RuleLoadError on any problem. */
export function parseRuleText(text: string, file: string): LoadedRule[] {
  const { rules, issues } = parseRuleFiles([{ file, text }]);
  if (issues.length > 0) throw new RuleLoadError(issues);
  return rules;
}

/**
 * A file holds one or more YAML documents (separated by ---, as trino-gateway's rule files are); each
 * document is a rule or a list of rules.
 */
function parseFile(text: string, file: string, issues: RuleIssue[]): LoadedRule[] {
  const lines = new LineCounter();
  const lineOf = (node: Node | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const rules: LoadedRule[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false })) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const line = lines.linePos(e.pos[0]).line;
        issues.push({ file, line, message: `invalid YAML: ${e.message.split('\n')[0]}` });
      }
      continue;
    }
    const root = doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) continue;
    if (!isSeq(root) && !isMap(root)) {
      issues.push({ file, line: lineOf(root), message: 'expected a rule (a mapping) or a list of rules' });
      continue;
    }
    const js: unknown = doc.toJS({ maxAliasCount: 100 });
    const items = isSeq(root) ? root.items : [root];
    const values = isSeq(root) ? (js as unknown[]) : [js];
    items.forEach((item, i) => {
      const node = isNode(item) ? item : undefined;
      const value = values[i];
      const name =
        typeof (value as { name?: unknown })?.name === 'string'
          ? (value as { name: string }).name
          : undefined;
      const rule = name ?? `#${i + 1}`;
      if (!isMap(node)) {
        issues.push({ file, line: lineOf(node), rule, message: 'expected a rule (a mapping)' });
        return;
      }
      const parsed = ruleSchema.safeParse(value);
      if (parsed.success) rules.push({ spec: parsed.data, file, line: lineOf(node) });
      else
        for (const issue of parsed.error.issues)
          issues.push(...describe(issue, node, value, { file, rule }, lineOf));
    });
  }
  return rules;
}

/** Turns a zod issue into messages located at the offending YAML node. */
function describe(
  issue: z.core.$ZodIssue,
  rule: Node,
  value: unknown,
  where: { file: string; rule: string },
  lineOf: (node: Node | undefined) => number,
): RuleIssue[] {
  const path = issue.path as (string | number)[];
  const at = pathText(path);
  const target = nodeAt(rule, path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      ...where,
      line: lineOf(keyNode(target, key) ?? target),
      message: `${at ? `${at}: ` : ''}unknown field "${key}"`,
    }));
  }
  const missing = issue.code === 'invalid_type' && valueAt(value, path) === undefined;
  const message = missing ? 'missing required field' : issue.message.replace(/^Invalid input: /, '');
  return [{ ...where, line: lineOf(target), message: at ? `${at}: ${message}` : message }];
}

function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The deepest YAML node along path (the parent mapping when the last key is missing). */
function nodeAt(root: Node, path: readonly (string | number)[]): Node {
  let node = root;
  for (const key of path) {
    let next: unknown;
    if (isMap(node)) next = node.items.find((p) => isScalar(p.key) && p.key.value === key)?.value;
    else if (isSeq(node) && typeof key === 'number') next = node.items[key];
    if (!isNode(next)) break;
    node = next;
  }
  return node;
}

function keyNode(map: Node, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return isNode(pair?.key) ? pair.key : undefined;
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}
