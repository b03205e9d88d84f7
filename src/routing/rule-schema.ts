import { z } from 'zod';
import { STATEMENT_TYPES } from './sql-facts.js';

/**
 * The routing rule language (documented in rules/README.md). Field names follow trino-gateway's rule
 * files where they map (name, description, priority, condition, actions); the condition is declarative
 * YAML instead of MVEL, so rules are validated when loaded and evaluated without `eval`.
 */

/** Tests on a single-valued fact. All given tests must pass. */
export interface StringMatcher {
  equals?: string;
  in?: string[];
  /** Must match the whole value (like Java's String.matches in trino-gateway's rules). */
  regex?: string;
  contains?: string;
  startsWith?: string;
  endsWith?: string;
  /** true: the fact is present; false: it is absent. */
  exists?: boolean;
  /** Compare without regard to case (equals, in, regex, contains, startsWith, endsWith). */
  ignoreCase?: boolean;
}

/** Tests on a list-valued fact. All given tests must pass. */
export interface ListMatcher {
  contains?: string;
  containsAny?: string[];
  containsAll?: string[];
  /** Some element matches the whole regex. */
  regex?: string;
  /** true: the list is not empty; false: it is empty. */
  exists?: boolean;
  ignoreCase?: boolean;
}

export interface HeaderMatcher extends StringMatcher {
  /** Header name, any case. */
  name: string;
}

/** A condition: every key present must hold (AND). An empty condition always holds. */
export interface Condition {
  user?: StringMatcher;
  source?: StringMatcher;
  clientInfo?: StringMatcher;
  catalog?: StringMatcher;
  schema?: StringMatcher;
  statementType?: StringMatcher;
  header?: HeaderMatcher;
  clientTags?: ListMatcher;
  groups?: ListMatcher;
  catalogs?: ListMatcher;
  schemas?: ListMatcher;
  tables?: ListMatcher;
  ddl?: boolean;
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
}

export interface RuleSpec {
  name: string;
  description?: string;
  /** Lower runs first; ties run in file order (files sorted by name). Default 0. */
  priority: number;
  condition: Condition;
  actions: {
    routeTo: string;
    /**
     * The query's priority in its group's queue (groups[].queue): higher is served first; an integer from
     * -100 to 100. Default 0. Means nothing in a group without a queue.
     */
    queuePriority?: number;
  };
  /** When true, later matching rules may still override this rule's routeTo. Default false. */
  continue: boolean;
}

export const STRING_FACTS = ['user', 'source', 'clientInfo', 'catalog', 'schema', 'statementType'] as const;
export const LIST_FACTS = ['clientTags', 'groups', 'catalogs', 'schemas', 'tables'] as const;
/** Facts that need the SQL analysed; conditions test them after the cheap ones. */
export const SQL_FACTS: ReadonlySet<string> = new Set([
  'statementType',
  'catalogs',
  'schemas',
  'tables',
  'ddl',
]);

const text = z.string().min(1, 'must not be empty');
const regex = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `invalid regex: ${(e as Error).message}` });
  }
});
const TESTS = [
  'equals',
  'in',
  'regex',
  'contains',
  'startsWith',
  'endsWith',
  'exists',
  'containsAny',
  'containsAll',
];
const hasTest = (m: object): boolean => Object.keys(m).some((k) => TESTS.includes(k));
const needsTest = {
  message: 'needs at least one test (equals, in, regex, contains, startsWith, endsWith, exists)',
};

const stringMatcherShape = {
  equals: z.string().optional(),
  in: z.array(z.string()).optional(),
  regex: regex.optional(),
  contains: z.string().optional(),
  startsWith: z.string().optional(),
  endsWith: z.string().optional(),
  exists: z.boolean().optional(),
  ignoreCase: z.boolean().optional(),
};
const stringMatcher = z.strictObject(stringMatcherShape).refine(hasTest, needsTest);

const statementType = z.enum(STATEMENT_TYPES, { error: `must be one of ${STATEMENT_TYPES.join(', ')}` });
const statementTypeMatcher = z
  .strictObject({
    ...stringMatcherShape,
    equals: statementType.optional(),
    in: z.array(statementType).optional(),
  })
  .refine(hasTest, needsTest);

const headerMatcher = z.strictObject({ name: text, ...stringMatcherShape }).refine(hasTest, needsTest);

const listMatcher = z
  .strictObject({
    contains: z.string().optional(),
    containsAny: z.array(z.string()).optional(),
    containsAll: z.array(z.string()).optional(),
    regex: regex.optional(),
    exists: z.boolean().optional(),
    ignoreCase: z.boolean().optional(),
  })
  .refine(hasTest, {
    message: 'needs at least one test (contains, containsAny, containsAll, regex, exists)',
  });

export const conditionSchema: z.ZodType<Condition> = z
  .strictObject({
    user: stringMatcher.optional(),
    source: stringMatcher.optional(),
    clientInfo: stringMatcher.optional(),
    catalog: stringMatcher.optional(),
    schema: stringMatcher.optional(),
    statementType: statementTypeMatcher.optional(),
    header: headerMatcher.optional(),
    clientTags: listMatcher.optional(),
    groups: listMatcher.optional(),
    catalogs: listMatcher.optional(),
    schemas: listMatcher.optional(),
    tables: listMatcher.optional(),
    ddl: z.boolean().optional(),
    get all() {
      return z.array(conditionSchema).optional();
    },
    get any() {
      return z.array(conditionSchema).optional();
    },
    get not() {
      return conditionSchema.optional();
    },
  })
  .meta({ id: 'RuleCondition' }); // the name of the (recursive) condition in the OpenAPI document

export const ruleSchema: z.ZodType<RuleSpec, unknown> = z.strictObject({
  name: text,
  description: z.string().optional(),
  priority: z.number().finite().default(0),
  condition: conditionSchema.default({}),
  actions: z.strictObject({
    routeTo: text,
    queuePriority: z
      .number()
      .int('must be an integer')
      .min(-100, 'must be at least -100')
      .max(100, 'must be at most 100')
      .optional(),
  }),
  continue: z.boolean().default(false),
});
