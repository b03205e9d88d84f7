import { Hono } from 'hono';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { UserDirectory } from '../auth/user-directory.js';
import type { BackendPicker } from '../backends/picker.js';
import type { BackendRegistry } from '../backends/registry.js';
import { explainRouting } from '../routing/explain.js';
import { buildRequestFacts } from '../routing/request-facts.js';
import type { RuleEngine } from '../routing/rule-engine.js';
import { header } from '../trino/headers.js';
import { doc } from './docs/describe.js';
import { explanation } from './docs/response-schemas.js';
import { readBody, type AppEnv } from './http.js';

const explainInput = z
  .object({
    user: z.string().min(1),
    /** Groups of a user the gateway does not know (a known user's own groups win). */
    groups: z.array(z.string()).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    sql: z.string(),
  })
  .strict();

export interface ExplainDeps {
  users: UserDirectory;
  registry: BackendRegistry;
  picker: BackendPicker;
  rules: RuleEngine;
  defaultGroup: string;
  /** Whether the gateway's queue would hold a new query of the user in the group now (groups with a queue only). */
  wouldWait?: (group: string, user: string) => { queued: boolean; reason?: string } | undefined;
}

/**
 * POST /api/v1/routing/explain: a routing dry run for a user, headers and SQL. Answers the chosen group,
 * the backend that would be picked now, and every rule with why it matched or not.
 */
export function explainRoute(d: ExplainDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post(
    '/api/v1/routing/explain',
    doc({
      tag: 'routing',
      summary: 'Dry-run routing for a user, headers and SQL: the group, the backend, every rule and why',
      body: explainInput,
      responses: { 200: ['the explanation', explanation], 400: 'invalid input (named)' },
    }),
    async (c) => {
      const body = await readBody(c, explainInput);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(body.headers ?? {})) headers[k.toLowerCase()] = v;
      const known = d.users.get(body.user);
      const principal: Principal = {
        name: body.user,
        roles: known?.roles ?? ['user'],
        groups: known?.groups ?? body.groups ?? [],
        defaultGroup: known?.defaultGroup,
        method: 'header',
      };
      const explanation = explainRouting({
        facts: buildRequestFacts(headers, principal, body.sql),
        principal,
        requestedGroup: header(headers, 'routingGroup'),
        engine: d.rules,
        defaultGroup: d.defaultGroup,
        knownGroups: d.registry.groupNames(),
      });
      const group = explanation.decision.ok ? explanation.decision.group : undefined;
      const pick = group ? d.picker.pick(group, { user: principal.name }) : undefined;
      const queue = group ? d.wouldWait?.(group, principal.name) : undefined;
      return c.json({ ...explanation, backend: pick?.backend.name ?? null, ...(queue ? { queue } : {}) });
    },
  );
  return app;
}
