import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../../src/auth/principal.js';
import { silentLogger } from '../../src/observability/logger.js';
import { buildRequestFacts, type RequestFacts } from '../../src/routing/request-facts.js';
import { RuleEngine } from '../../src/routing/rule-engine.js';
import { parseRuleText } from '../../src/routing/rule-loader.js';

export function principal(name: string, groups: string[], defaultGroup?: string): Principal {
  return { name, roles: ['user'], groups, defaultGroup, method: 'basic' };
}

export function facts(
  headers: IncomingHttpHeaders = {},
  who = principal('alice', ['*']),
  sql = '',
): RequestFacts {
  return buildRequestFacts(headers, who, sql);
}

export function engineOf(yaml: string): RuleEngine {
  return RuleEngine.fromRules(parseRuleText(yaml, 'rules/test.yaml'), silentLogger());
}

/** Polls until check() holds, or fails after timeoutMs. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
