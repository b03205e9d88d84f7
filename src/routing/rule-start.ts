import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { RuleEngine } from './rule-engine.js';
import type { CompiledRule } from './rule-matcher.js';

/** The rules directory used when routing.rulesDir is not set (relative to the config file). */
export const DEFAULT_RULES_DIR = './rules';

/**
 * openRules loads the routing rules at start: routing.rulesDir (checked to exist when the config was
 * loaded), else ./rules when it exists, else none (a minimal config in a new directory starts).
 */
export async function openRules(
  cfg: GatewayConfig,
  logger: Logger,
  metrics: Metrics,
  signal?: AbortSignal,
): Promise<RuleEngine> {
  const dir = resolve(cfg.baseDir, cfg.routing.rulesDir ?? DEFAULT_RULES_DIR);
  if (cfg.routing.rulesDir === undefined && !existsSync(dir)) {
    logger.info({ dir }, 'no routing rules directory: routing by header, user and default group only');
    return RuleEngine.fromRules([], logger);
  }
  return RuleEngine.open({ dir, logger, metrics, signal });
}

/**
 * ruleGroupWarnings names rules that route to a group no one declared, with the fix. A warning, not an
 * error: such a rule is skipped per query (groups may be added later through the admin API).
 */
export function ruleGroupWarnings(rules: readonly CompiledRule[], groups: ReadonlySet<string>): string[] {
  return rules
    .filter((r) => !groups.has(r.routeTo))
    .map(
      (r) =>
        `${r.file}:${r.line}: rule "${r.name}": routeTo "${r.routeTo}" is no routing group, so the rule is skipped: declare the group under groups (or through the admin API), or route to one of ${[...groups].sort().join(', ')}`,
    );
}
