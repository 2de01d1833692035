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
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** Zod issues as sentences that name the field and what is allowed. */
export function problemsOf(issues: readonly z.core.$ZodIssue[], allowedKeys: string[]): ApiProblem[] {
  const out: ApiProblem[] = [];
  for (const issue of issues) {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const field = at ? `${at}.${key}` : key;
        out.push({
          field,
          message: `unknown field ${JSON.stringify(field)}; allowed: ${allowedKeys.join(', ')}`,
        });
      }
      continue;
    }
    const field = at || 'body';
    const text = issue.message.replace(/^Invalid input: /, '');
    if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
      out.push({ field, message: `${field} is required; allowed: ${issue.expected}` });
    } else {
      out.push({ field, message: `${field}: ${text}` });
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
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const errors = problemsOf(r.error.issues, Object.keys(schema.shape));
  const message = errors.length === 1 ? errors[0]!.message : `${errors.length} problems in the request body`;
  throw new HttpError(400, message, errors);
}
