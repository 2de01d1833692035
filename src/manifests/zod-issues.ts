/**
 * Turns zod issues into ManifestErrors a runbook author can act on: each names the YAML node (unknown
 * key -> the key, missing key -> the map that lacks it) and says what is allowed there.
 */
import type { z } from 'zod';
import { OPERATORS } from '../domain/condition-schema.ts';
import { formatPath } from './manifest-error.ts';
import type { ManifestError, PathSegment } from './manifest-error.ts';
import { IN_CONDITION, allowedKeys, defOf, describeSchema, isRecord, schemaAt } from './schema-walk.ts';
import type { SourceDoc } from './yaml-source.ts';
import { describeValue, unknownKeyMessage, valueAt } from './wording.ts';

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

export function zodIssuesToErrors(issues: readonly Issue[], doc: SourceDoc, root: Schema): ManifestError[] {
  const out: ManifestError[] = [];
  for (const issue of issues) convert(issue, [], doc, root, out);
  return out;
}

function convert(
  issue: Issue,
  prefix: PathSegment[],
  doc: SourceDoc,
  root: Schema,
  out: ManifestError[],
): void {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  const value = valueAt(doc.data, path);
  const at = (p: readonly PathSegment[], message: string, target: 'value' | 'key' = 'value') =>
    out.push({ file: doc.file, ...doc.locate(p, target), path: formatPath(p), message });

  switch (issue.code) {
    case 'unrecognized_keys': {
      const place = schemaAt(root, doc.data, path);
      const allowed = place === IN_CONDITION ? [...OPERATORS] : (allowedKeys(place, value) ?? []);
      for (const key of issue.keys) at([...path, key], unknownKeyMessage(key, allowed), 'key');
      return;
    }
    case 'invalid_type': {
      const parent = valueAt(doc.data, path.slice(0, -1));
      const last = path[path.length - 1];
      if (value === undefined && isRecord(parent) && typeof last === 'string') {
        at(path.slice(0, -1), `missing required key "${last}"`);
        // Point at the map that lacks the key, but keep the key's path in the message.
        out[out.length - 1]!.path = formatPath(path);
        return;
      }
      at(path, `expected ${typeName(issue.expected)}, got ${describeValue(value)}`);
      return;
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      const expected = values.length === 1 ? `expected ${values[0]}` : `expected one of ${values.join(', ')}`;
      at(path, `${expected}, got ${describeValue(value)}`);
      return;
    }
    case 'invalid_union':
      return convertUnion(issue, path, value, doc, root, out, at);
    case 'too_small':
    case 'too_big':
      at(path, sizeMessage(issue, value));
      return;
    case 'invalid_format': {
      const shown = describeValue(value);
      const generic = issue.message.startsWith('Invalid');
      const pattern = 'pattern' in issue ? String(issue.pattern) : issue.format;
      at(path, generic ? `${shown} does not match ${pattern}` : `${shown} is not valid: ${issue.message}`);
      return;
    }
    case 'invalid_element':
    case 'invalid_key':
      for (const inner of issue.issues) convert(inner, path, doc, root, out);
      return;
    default: {
      // Condition refinements are about the clause key (`"bad key!" is not a field path`): point at it.
      const last = path[path.length - 1];
      const inCondition = schemaAt(root, doc.data, path.slice(0, -1)) === IN_CONDITION;
      at(path, issue.message, inCondition && typeof last === 'string' ? 'key' : 'value');
    }
  }
}

function convertUnion(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: PathSegment[],
  value: unknown,
  doc: SourceDoc,
  root: Schema,
  out: ManifestError[],
  at: (p: readonly PathSegment[], message: string, target?: 'value' | 'key') => void,
): void {
  // Discriminated union (steps by `uses`): zod already points at the discriminator key.
  if ('discriminator' in issue && issue.discriminator) {
    const options = ('options' in issue ? (issue.options as unknown[]) : []).map(String);
    const key = issue.discriminator as string;
    const parent = valueAt(doc.data, path.slice(0, -1));
    if (!isRecord(parent)) {
      at(path.slice(0, -1), `expected a map, got ${describeValue(parent)}`);
    } else if (value === undefined) {
      at(path.slice(0, -1), `missing required key "${key}" (allowed: ${options.join(', ')})`);
      out[out.length - 1]!.path = formatPath(path);
    } else {
      at(
        path,
        `unknown ${key === 'uses' ? 'action' : key} ${describeValue(value)} (allowed: ${options.join(', ')})`,
      );
    }
    return;
  }
  const place = schemaAt(root, doc.data, path);
  const unionSchema = place === IN_CONDITION ? undefined : place;
  const branches = issue.errors;

  const allowed = unionSchema ? (allowedKeysOfUnion(unionSchema) ?? []) : [];
  if (isRecord(value) && allowed.length > 0) {
    const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
    if (unknown.length > 0) {
      for (const k of unknown) at([...path, k], unknownKeyMessage(k, allowed), 'key');
      return;
    }
    // Branches that accept all the keys given: the author meant one of those.
    const fitting = branches.filter(
      (b) => !b.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0),
    );
    if (fitting.length === 0) {
      at(path, `use exactly one of ${allowed.join(', ')}; got ${Object.keys(value).join(' and ')} together`);
      return;
    }
    if (Object.keys(value).length === 0 && fitting.length > 1) {
      at(path, `expected one of ${allowed.join(', ')}, got an empty map`);
      return;
    }
    const best = fitting.reduce((a, b) => (b.length < a.length ? b : a));
    for (const inner of best) convert(inner, path, doc, root, out);
    return;
  }
  // A scalar or list: if one branch got past the type check (e.g. a regex failed), report that branch.
  const nearMiss = branches.find((b) =>
    b.every(
      (i) =>
        !(
          i.path.length === 0 &&
          (i.code === 'invalid_type' || i.code === 'invalid_union' || i.code === 'invalid_value')
        ),
    ),
  );
  if (nearMiss) {
    for (const inner of nearMiss) convert(inner, path, doc, root, out);
    return;
  }
  const expected = unionSchema ? describeSchema(unionSchema) : 'another value';
  at(path, `expected ${expected}, got ${describeValue(value)}`);
}

function allowedKeysOfUnion(s: Schema): string[] | undefined {
  return defOf(s).type === 'union' ? allowedKeys(s, undefined) : undefined;
}

function sizeMessage(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>, value: unknown): string {
  const small = issue.code === 'too_small';
  const n = Number(small ? issue.minimum : issue.maximum);
  if (issue.origin === 'string') {
    if (small && n === 1) return 'must not be empty';
    const len = typeof value === 'string' ? value.length : 0;
    return `is ${len} characters long; ${small ? 'at least' : 'at most'} ${n} allowed`;
  }
  if (issue.origin === 'array') {
    if (small && n === 1) return 'needs at least one entry';
    const len = Array.isArray(value) ? value.length : 0;
    return `has ${len} entries; ${small ? 'at least' : 'at most'} ${n} allowed`;
  }
  return `must be ${small ? 'at least' : 'at most'} ${n}, got ${describeValue(value)}`;
}

function typeName(t: string): string {
  const names: Record<string, string> = {
    object: 'a map',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    boolean: 'true or false',
  };
  return names[t] ?? t;
}
