import { chooseGroup, groupCheck, type GroupChoice, type GroupChoiceInput } from './group-choice.js';
import type { SqlFacts } from './sql-facts.js';

/** How one rule fared against the request. */
export interface RuleExplanation {
  name: string;
  priority: number;
  file: string;
  line: number;
  routeTo: string;
  continue: boolean;
  /** Whether the rule's condition holds for this request. */
  matched: boolean;
  /** One line per test: what was compared and whether it passed. */
  reasons: string[];
  /** What the rule did to the decision, when it matched: set the group, was overridden, skipped, or not reached. */
  effect?: string;
}

/** The dry-run answer: the decision, the facts it was made on, and every rule's verdict. JSON-serialisable. */
export interface RoutingExplanation {
  decision: GroupChoice;
  facts: {
    user: string;
    groups: readonly string[];
    source?: string;
    clientTags: readonly string[];
    clientInfo?: string;
    catalog?: string;
    schema?: string;
    sql: SqlFacts;
  };
  rules: RuleExplanation[];
}

/**
 * explainRouting makes the same decision chooseGroup makes, and reports for every rule (in the order
 * they run) whether it matched and why, for the admin dry-run endpoint. Slower than chooseGroup: every
 * test of every rule is evaluated and the SQL is always analysed. Never for the hot path.
 */
export function explainRouting(input: GroupChoiceInput): RoutingExplanation {
  const decision = chooseGroup(input);
  const { facts, engine, principal, knownGroups } = input;
  // The header decides before any rule when present (even when it is refused).
  const consulted = !input.requestedGroup;
  const refusal = groupCheck(principal, knownGroups);
  let decidedBy: string | undefined;
  const setters: RuleExplanation[] = [];

  // Replays RuleEngine.decide rule by rule, so each matching rule can be told what it did.
  const rules = engine.rules.map((rule): RuleExplanation => {
    const { matched, reasons } = rule.explain(facts);
    const out: RuleExplanation = {
      name: rule.name,
      priority: rule.priority,
      file: rule.file,
      line: rule.line,
      routeTo: rule.routeTo,
      continue: rule.continue,
      matched,
      reasons,
    };
    if (!matched) return out;
    const refused = refusal(rule.routeTo);
    if (!consulted) out.effect = 'not consulted: the X-Trino-Routing-Group header decided';
    else if (decidedBy !== undefined) out.effect = `not reached: rule '${decidedBy}' decided`;
    else if (refused !== undefined) out.effect = `skipped: ${refused}`;
    else {
      setters.push(out);
      if (!rule.continue) decidedBy = rule.name;
    }
    return out;
  });
  setters.forEach((r, i) => {
    r.effect = i === setters.length - 1 ? `chose routing group '${r.routeTo}'` : 'overridden by a later rule';
  });

  return {
    decision,
    facts: {
      user: facts.user,
      groups: facts.groups,
      source: facts.source,
      clientTags: facts.clientTags,
      clientInfo: facts.clientInfo,
      catalog: facts.catalog,
      schema: facts.schema,
      sql: facts.sql,
    },
    rules,
  };
}
