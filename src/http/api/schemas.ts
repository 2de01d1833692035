/**
 * Request bodies of the incident API. The schemas check shape only (which keys, which JSON types);
 * the values themselves (severity P0–P4, custom fields of the incident's type, Slack ids) are
 * checked by the incident service, so the API and Slack refuse exactly the same things with the
 * same words.
 */
import { z } from 'zod';
import { HttpError, type ApiProblem } from './errors.ts';

const optionalText = z.string().nullable().optional();
const customFields = z.record(z.string(), z.unknown()).optional();

export const createIncidentBody = z.strictObject({
  summary: z.string(),
  severity: z.string(),
  service: optionalText,
  environment: optionalText,
  type: z.string().optional(),
  fields: customFields,
  externalId: z.string().optional(),
  channel: optionalText,
  commander: optionalText,
  /** A test incident (issue 8); strictly a JSON boolean, fixed at creation. */
  test: z.boolean().optional(),
});
export type CreateIncidentBody = z.infer<typeof createIncidentBody>;

export const patchIncidentBody = z.strictObject({
  summary: z.string().optional(),
  severity: z.string().optional(),
  status: z.string().optional(),
  service: optionalText,
  environment: optionalText,
  commander: optionalText,
  channel: optionalText,
  fields: customFields,
});
export type PatchIncidentBody = z.infer<typeof patchIncidentBody>;

type ObjectSchema = z.ZodObject<z.ZodRawShape>;

function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? `${typeof v} ${JSON.stringify(v).slice(0, 60)}`
    : typeof v;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'a JSON object',
  record: 'a JSON object',
  array: 'a list',
};

/**
 * Zod issues as sentences that name the field, what was sent and what is allowed. Needs the issues
 * of a parse with `reportInput: true`.
 */
export function problemsOf(issues: readonly z.core.$ZodIssue[], allowedKeys: string[]): ApiProblem[] {
  const out: ApiProblem[] = [];
  for (const issue of issues) {
    const at = issue.path.map(String).join('.');
    const field = at || 'body';
    const input = (issue as { input?: unknown }).input;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const name = at ? `${at}.${key}` : key;
        const allowed = allowedKeys.length ? `; allowed: ${allowedKeys.join(', ')}` : '';
        out.push({ field: name, message: `unknown field ${JSON.stringify(name)}${allowed}` });
      }
    } else if (issue.code === 'invalid_type') {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      out.push({
        field,
        message:
          input === undefined
            ? `${field} is required; allowed: ${expected}`
            : `${field} must be ${expected}, not ${describeJson(input)}`,
      });
    } else if (issue.code === 'invalid_value') {
      const allowed = issue.values.map((v) => String(v)).join(', ');
      out.push({ field, message: `${field} ${JSON.stringify(input)} is not valid; allowed: ${allowed}` });
    } else if (issue.code === 'too_small' && issue.origin === 'string' && Number(issue.minimum) === 1) {
      out.push({ field, message: `${field} is empty; allowed: a non-empty string` });
    } else {
      out.push({ field, message: `${field}: ${issue.message}` });
    }
  }
  return out;
}

/** Parses `raw` with a strict object schema or throws a 400 listing every problem. */
export function parseBody<S extends ObjectSchema>(schema: S, raw: unknown): z.infer<S> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const message = `the body must be a JSON object, not ${describeJson(raw)}; allowed fields: ${Object.keys(schema.shape).join(', ')}`;
    throw new HttpError(400, message, [{ field: 'body', message }]);
  }
  const r = schema.safeParse(raw, { reportInput: true });
  if (r.success) return r.data;
  const errors = problemsOf(r.error.issues, Object.keys(schema.shape));
  const message = errors.length === 1 ? errors[0]!.message : `${errors.length} problems in the request body`;
  throw new HttpError(400, message, errors);
}
