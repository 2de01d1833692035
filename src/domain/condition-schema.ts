/**
 * The shape of the condition language used by trigger `when:`, step `if:` and `access.approval.when:`.
 *
 *   when:
 *     severity: { at_least: P1 }            # a clause: field path -> operators (all must hold)
 *     fields.customer_facing: { equals: true }
 *     any:                                  # combinators: all / any (lists), not (one condition)
 *       - service: { in: [checkout, payments] }
 *       - environment: { equals: prod }
 *
 * A condition map is an implicit `all` of its entries. No eval: this is data, interpreted by
 * conditions.ts.
 */
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const OPERATORS = [
  'equals',
  'not_equals',
  'in',
  'not_in',
  'matches',
  'exists',
  'at_least',
  'at_most',
  'changed',
  'changed_from',
  'changed_to',
] as const;
export type Operator = (typeof OPERATORS)[number];

export const operatorsSchema = z
  .strictObject({
    equals: scalar.optional(),
    not_equals: scalar.optional(),
    in: z.array(scalar).optional(),
    not_in: z.array(scalar).optional(),
    matches: z.string().optional(),
    exists: z.boolean().optional(),
    at_least: z.string().optional(),
    at_most: z.string().optional(),
    changed: z.boolean().optional(),
    changed_from: scalar.optional(),
    changed_to: scalar.optional(),
  })
  .refine((o) => Object.keys(o).length > 0, {
    message: `a clause needs at least one operator (${OPERATORS.join(', ')})`,
  });
export type Operators = z.infer<typeof operatorsSchema>;

export interface ConditionMap {
  all?: ConditionMap[];
  any?: ConditionMap[];
  not?: ConditionMap;
  [path: string]: Operators | ConditionMap[] | ConditionMap | undefined;
}

const FIELD_PATH = /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\])*$/;

export const conditionSchema: z.ZodType<ConditionMap> = z.lazy(
  () =>
    z.record(z.string(), z.unknown()).superRefine((obj, ctx) => {
      for (const [key, value] of Object.entries(obj)) {
        if (key === 'all' || key === 'any') {
          const r = z.array(conditionSchema).min(1).safeParse(value);
          if (!r.success)
            for (const i of r.error.issues) ctx.addIssue({ ...i, path: [key, ...i.path] } as never);
        } else if (key === 'not') {
          const r = conditionSchema.safeParse(value);
          if (!r.success)
            for (const i of r.error.issues) ctx.addIssue({ ...i, path: [key, ...i.path] } as never);
        } else if (!FIELD_PATH.test(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `"${key}" is not a field path (e.g. severity, fields.region, steps.rollback.status)`,
          });
        } else {
          const r = operatorsSchema.safeParse(value);
          if (!r.success)
            for (const i of r.error.issues) ctx.addIssue({ ...i, path: [key, ...i.path] } as never);
        }
      }
      if (Object.keys(obj).length === 0) ctx.addIssue({ code: 'custom', message: 'empty condition' });
    }) as unknown as z.ZodType<ConditionMap>,
);
