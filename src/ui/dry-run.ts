import type { BackendPicker } from '../backends/picker.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { Principal } from '../auth/principal.js';
import { explainRouting, type RoutingExplanation } from '../routing/explain.js';
import { buildRequestFacts } from '../routing/request-facts.js';
import type { RuleEngine } from '../routing/rule-engine.js';
import { header } from '../trino/headers.js';
import type { ConsoleUser } from './console-deps.js';

export interface DryRunInput {
  user: string;
  /** `Name: value` lines, as a client would send them. */
  headers: string;
  sql: string;
}

export type DryRunResult =
  | { ok: false; error: string }
  | {
      ok: true;
      /** Whether the user is in the directory; if not, the run assumed a principal that may use every group. */
      knownUser: boolean;
      explanation: RoutingExplanation;
      /** The backend a new query would go to now, with the group that supplied it (a fallback, maybe). */
      pick?: { backend: string; group: string; policy: string };
    };

export interface DryRunDeps {
  engine: RuleEngine;
  registry: BackendRegistry;
  picker: BackendPicker;
  users: { get(name: string): ConsoleUser | undefined };
  defaultGroup: string;
}

/** parseHeaderLines reads `Name: value` lines into lower-cased names; blank lines are skipped. */
export function parseHeaderLines(
  text: string,
): { ok: true; headers: Record<string, string> } | { ok: false; error: string } {
  const headers: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) return { ok: false, error: `header line ${i + 1}: expected "Name: value"` };
    const name = m[1].toLowerCase();
    headers[name] = headers[name] !== undefined ? `${headers[name]}, ${m[2]}` : m[2];
  }
  return { ok: true, headers };
}

/**
 * dryRun makes the routing decision a new query with these facts would get now, explains every rule, and
 * says which backend the group's policy would pick. Read-only, apart from a round-robin policy's turn.
 */
export function dryRun(input: DryRunInput, d: DryRunDeps): DryRunResult {
  const user = input.user.trim();
  if (!user) return { ok: false, error: 'A user is required.' };
  const parsed = parseHeaderLines(input.headers);
  if (!parsed.ok) return parsed;
  const known = d.users.get(user);
  const principal: Principal = known
    ? {
        name: known.name,
        roles: known.roles,
        groups: known.groups,
        defaultGroup: known.defaultGroup,
        method: 'session',
      }
    : { name: user, roles: ['user'], groups: ['*'], method: 'header' };
  const explanation = explainRouting({
    facts: buildRequestFacts(parsed.headers, principal, input.sql),
    principal,
    requestedGroup: header(parsed.headers, 'routingGroup'),
    engine: d.engine,
    defaultGroup: d.defaultGroup,
    knownGroups: d.registry.groupNames(),
  });
  const decision = explanation.decision;
  const picked = decision.ok ? d.picker.pick(decision.group, { user }) : undefined;
  return {
    ok: true,
    knownUser: !!known,
    explanation,
    pick: picked && { backend: picked.backend.name, group: picked.group, policy: picked.policy },
  };
}
