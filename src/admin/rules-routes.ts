import { Hono } from 'hono';
import { z } from 'zod';
import { DATABASE_RULES, yamlOf, type DatabaseRules } from '../routing/database-rules.js';
import type { RuleEngine } from '../routing/rule-engine.js';
import { ruleSchema } from '../routing/rule-schema.js';
import { doc } from './docs/describe.js';
import { readBody, type AppEnv } from './http.js';

/** A new database rule set: as YAML (what the console's editor holds) or as JSON rules; exactly one. */
export const ruleSetInput = z
  .object({
    yaml: z.string().optional().describe('the rules as YAML, in the language of the rule files'),
    rules: z
      .array(ruleSchema)
      .max(500)
      .optional()
      .describe('the rules as JSON objects (see rules/README.md)'),
    baseVersion: z
      .number()
      .int()
      .min(0)
      .describe('the version this edit started from (0: none yet); another save since → 409'),
    note: z.string().max(500).optional().describe('why, for the audit trail'),
  })
  .strict()
  .refine((b) => (b.yaml === undefined) !== (b.rules === undefined), {
    message: 'give either yaml or rules',
  });

const issue = z.object({
  line: z.number(),
  rule: z.string().optional(),
  message: z.string().describe('field: reason'),
});
const versionView = z.object({
  version: z.number(),
  author: z.string(),
  summary: z.string(),
  createdAt: z.number(),
});
const ruleSetView = versionView.extend({ yaml: z.string(), rules: z.array(ruleSchema) });
const refused = z.object({ message: z.string(), issues: z.array(issue) });
const ruleInForce = z.object({
  name: z.string(),
  priority: z.number(),
  routeTo: z.string(),
  continue: z.boolean(),
  origin: z.enum(['file', 'database']),
  file: z.string(),
  line: z.number(),
});

export interface RulesRoutesDeps {
  /** The rules in force (files and database). */
  rules: RuleEngine;
  database: DatabaseRules;
}

const tag = 'routing';
const EMPTY = { version: 0, author: '', summary: 'no database rules yet', createdAt: 0, yaml: '' };

/**
 * Routing rules API: the rules in force (files and database, in the order they run) and the database set,
 * versioned: read, validate, save (optimistic: the caller names the version it edited), and the history.
 */
export function rulesRoutes(d: RulesRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const bodyYaml = (b: z.infer<typeof ruleSetInput>) => b.yaml ?? yamlOf(b.rules ?? []);

  app.get(
    '/api/v1/rules',
    doc({
      tag,
      summary: 'The rules in force, file and database rules together, in the order they run',
      responses: { 200: ['the rules', z.object({ version: z.number(), rules: z.array(ruleInForce) })] },
    }),
    (c) =>
      c.json({
        version: d.database.current()?.version ?? 0,
        rules: d.rules.rules.map((r) => ({
          name: r.name,
          priority: r.priority,
          routeTo: r.routeTo,
          continue: r.continue,
          origin: r.file === DATABASE_RULES ? 'database' : 'file',
          file: r.file,
          line: r.line,
        })),
      }),
  );
  app.get(
    '/api/v1/rules/database',
    doc({ tag, summary: 'The database rule set in force', responses: { 200: ['the set', ruleSetView] } }),
    (c) => {
      const v = d.database.current() ?? EMPTY;
      return c.json({ ...v, rules: d.database.validateQuietlyRules(v.yaml) });
    },
  );
  app.put(
    '/api/v1/rules/database',
    doc({
      tag,
      summary: 'Replace the database rule set: validated whole, stored as the next version, in force at once',
      body: ruleSetInput,
      responses: {
        200: ['saved', versionView],
        400: [
          'refused; every problem names its line, rule and field; the rules in force are unchanged',
          refused,
        ],
        409: ['another save came since baseVersion; nothing stored', refused],
      },
    }),
    async (c) => {
      const b = await readBody(c, ruleSetInput);
      const { yaml: _y, ...v } = await d.database.save(
        bodyYaml(b),
        c.get('principal').name,
        b.baseVersion,
        b.note,
      );
      return c.json(v);
    },
  );
  app.post(
    '/api/v1/rules/database/validate',
    doc({
      tag,
      summary: 'Validate a database rule set without saving it',
      body: ruleSetInput,
      responses: { 200: ['valid', z.object({ rules: z.array(ruleSchema) })], 400: ['refused', refused] },
    }),
    async (c) => {
      const b = await readBody(c, ruleSetInput);
      return c.json({ rules: d.database.validate(bodyYaml(b)).map((r) => r.spec) });
    },
  );
  app.get(
    '/api/v1/rules/database/versions',
    doc({
      tag,
      summary: 'The audit trail: every saved version, newest first (who, when, what changed)',
      responses: { 200: ['the versions', z.array(versionView)] },
    }),
    async (c) => c.json(await d.database.versions()),
  );
  app.get(
    '/api/v1/rules/database/versions/:version',
    doc({
      tag,
      summary: 'One saved version with its text',
      responses: { 200: ['the version', ruleSetView], 404: 'no such version' },
    }),
    async (c) => {
      const n = Number(c.req.param('version'));
      const v = Number.isSafeInteger(n) ? await d.database.version(n) : undefined;
      if (!v)
        return c.json(
          { message: `version ${c.req.param('version').slice(0, 20)} not found`, issues: [] },
          404,
        );
      return c.json({ ...v, rules: d.database.validateQuietlyRules(v.yaml) });
    },
  );
  return app;
}
