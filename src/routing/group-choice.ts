import type { Principal } from '../auth/principal.js';
import type { RequestFacts } from './request-facts.js';
import type { GroupCheck, RuleEngine, SkippedRule } from './rule-engine.js';

export interface GroupChoiceInput {
  facts: RequestFacts;
  principal: Principal;
  /** X-Trino-Routing-Group, when the client sent one. */
  requestedGroup?: string;
  engine: RuleEngine;
  /** The configured default routing group. */
  defaultGroup: string;
  knownGroups: ReadonlySet<string>;
}

export type GroupChoice =
  | {
      ok: true;
      group: string;
      /**
       * What decided: the routing-group header, a rule, the principal (its defaultGroup, or else its first
       * usable group), or the configured default.
       */
      source: 'header' | 'rule' | 'principal-default' | 'config-default';
      /** The rule that set the group (source 'rule'). */
      rule?: string;
      /** The queue priority that rule set (its actions.queuePriority), when it set one. */
      queuePriority?: number;
      /** Rules that matched but routed to a group this principal may not use, or that does not exist. */
      skipped?: SkippedRule[];
    }
  | { ok: false; status: 403 | 404; message: string };

/** A principal may use a group its groups list names, or any group when the list holds '*'. */
export const mayUse = (principal: Principal, group: string): boolean =>
  principal.groups.includes(group) || principal.groups.includes('*');

/** groupCheck says why a rule's group cannot be used by the principal: it does not exist, or is not allowed. */
export function groupCheck(principal: Principal, knownGroups: ReadonlySet<string>): GroupCheck {
  return (group) =>
    !knownGroups.has(group)
      ? `routing group '${group}' does not exist`
      : !mayUse(principal, group)
        ? `user '${principal.name}' may not use routing group '${group}'`
        : undefined;
}

/**
 * chooseGroup picks the routing group of a new query, in this order (ARCHITECTURE §2 step 4):
 * 1. X-Trino-Routing-Group: used when the principal may use it (else 403) and it exists (else 404);
 * 2. the rules, skipping any whose group the principal may not use or that does not exist;
 * 3. the principal's defaultGroup; 4. the configured default group; 5. the principal's first usable group;
 * else 403 saying why no group is usable.
 */
export function chooseGroup(input: GroupChoiceInput): GroupChoice {
  const { facts, principal, requestedGroup, engine, defaultGroup, knownGroups } = input;
  const user = principal.name;
  if (requestedGroup) {
    if (!mayUse(principal, requestedGroup)) {
      return {
        ok: false,
        status: 403,
        message: `User '${user}' may not use routing group '${requestedGroup}'`,
      };
    }
    if (!knownGroups.has(requestedGroup)) {
      return { ok: false, status: 404, message: `Routing group '${requestedGroup}' does not exist` };
    }
    return { ok: true, group: requestedGroup, source: 'header' };
  }

  const unusable = groupCheck(principal, knownGroups);
  const decision = engine.decide(facts, unusable);
  const skipped = decision.skipped.length > 0 ? decision.skipped : undefined;
  const chosen = (
    group: string,
    source: 'rule' | 'principal-default' | 'config-default',
    rule?: string,
  ): GroupChoice =>
    skipped
      ? { ok: true, group, source, rule, skipped }
      : rule
        ? { ok: true, group, source, rule }
        : { ok: true, group, source };

  if (decision.group !== undefined) {
    const c = chosen(decision.group, 'rule', decision.rule);
    if (c.ok && decision.queuePriority !== undefined) c.queuePriority = decision.queuePriority;
    return c;
  }
  if (principal.defaultGroup && !unusable(principal.defaultGroup))
    return chosen(principal.defaultGroup, 'principal-default');
  if (!unusable(defaultGroup)) return chosen(defaultGroup, 'config-default');
  const first =
    principal.groups.find((g) => g !== '*' && knownGroups.has(g)) ??
    (principal.groups.includes('*') ? knownGroups.values().next().value : undefined);
  if (first !== undefined) return chosen(first, 'principal-default');
  return { ok: false, status: 403, message: noGroupReason(principal, defaultGroup) };
}

function noGroupReason(principal: Principal, defaultGroup: string): string {
  const user = principal.name;
  if (principal.groups.length === 0) return `User '${user}' may not use any routing group`;
  if (principal.groups.includes('*')) {
    return `No routing group for user '${user}': no routing group is configured`;
  }
  return (
    `No routing group for user '${user}': none of its groups (${principal.groups.join(', ')}) exists ` +
    `and it may not use the default group '${defaultGroup}'`
  );
}
