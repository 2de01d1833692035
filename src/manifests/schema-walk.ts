/**
 * Reads the zod schemas as data, so error messages can say what *is* allowed at a place (the keys of
 * a map, the values of an enum, the alternatives of a union). zod issues only say what went wrong.
 */
import type { z } from 'zod';
import { conditionSchema } from '../domain/condition-schema.ts';
import type { PathSegment } from './manifest-error.ts';

type Schema = z.core.$ZodType;
interface LooseDef {
  type: string;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  options?: Schema[];
  discriminator?: string;
  innerType?: Schema;
  getter?: () => Schema;
  in?: Schema;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

export function defOf(s: Schema): LooseDef {
  return s._zod.def as unknown as LooseDef;
}

/** A place inside a condition (`when:`, `if:`): not described by zod's structure (it is a refined record). */
export const IN_CONDITION = Symbol('in-condition');
export type SchemaPlace = Schema | typeof IN_CONDITION | undefined;

/** Strips wrappers that do not change the shape of the data: optional, default, lazy, pipe... */
export function unwrap(s: Schema): Schema {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    if (cur === conditionSchema) return cur;
    const d = defOf(cur);
    if (
      (d.type === 'optional' ||
        d.type === 'default' ||
        d.type === 'prefault' ||
        d.type === 'nullable' ||
        d.type === 'readonly' ||
        d.type === 'nonoptional' ||
        d.type === 'catch') &&
      d.innerType
    )
      cur = d.innerType;
    else if (d.type === 'lazy' && d.getter) cur = d.getter();
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else return cur;
  }
  return cur;
}

/**
 * For discriminated unions the branch is picked by the data; for plain unions, the object branch
 * that has the key being walked into (bindings: `{ value: … }` -> the `value` branch).
 */
function unionBranch(d: LooseDef, value: unknown, key?: PathSegment): Schema | undefined {
  const options = d.options ?? [];
  if (d.discriminator && isRecord(value)) {
    const tag = value[d.discriminator];
    return options.find((o) => discriminatorValues(o, d.discriminator!).includes(tag));
  }
  const objects = options.map(unwrap).filter((o) => defOf(o).type === 'object');
  const withKey = objects.filter(
    (o) => key !== undefined && Object.hasOwn(defOf(o).shape ?? {}, String(key)),
  );
  if (withKey.length === 1) return withKey[0];
  return objects.length === 1 ? objects[0] : undefined;
}

export function discriminatorValues(option: Schema, key: string): unknown[] {
  const field = defOf(unwrap(option)).shape?.[key];
  if (!field) return [];
  const fd = defOf(unwrap(field));
  return fd.values ?? (fd.entries ? Object.values(fd.entries) : []);
}

/** The schema describing the data at `path` (walking data alongside, to choose union branches). */
export function schemaAt(root: Schema, data: unknown, path: readonly PathSegment[]): SchemaPlace {
  let s: Schema = unwrap(root);
  let value = data;
  for (const seg of path) {
    if (s === conditionSchema) return IN_CONDITION;
    let d = defOf(s);
    if (d.type === 'union') {
      const b = unionBranch(d, value, seg);
      if (!b) return undefined;
      s = unwrap(b);
      d = defOf(s);
    }
    let next: Schema | undefined;
    if (d.type === 'object') next = d.shape?.[String(seg)];
    else if (d.type === 'array') next = d.element;
    else if (d.type === 'record') next = d.valueType;
    if (!next) return undefined;
    s = unwrap(next);
    value =
      isRecord(value) || Array.isArray(value) ? (value as Record<string, unknown>)[seg as string] : undefined;
  }
  return s === conditionSchema ? IN_CONDITION : s;
}

/** Keys a map at this place may have (union of all object branches for plain unions). */
export function allowedKeys(place: SchemaPlace, value: unknown): string[] | undefined {
  if (place === undefined || place === IN_CONDITION) return undefined;
  const d = defOf(place);
  if (d.type === 'object') return Object.keys(d.shape ?? {});
  if (d.type === 'union') {
    const branch = d.discriminator ? unionBranch(d, value) : undefined;
    const branches = branch ? [branch] : (d.options ?? []);
    const keys = branches.flatMap((o) => Object.keys(defOf(unwrap(o)).shape ?? {}));
    return [...new Set(keys)];
  }
  return undefined;
}

/** A short phrase for what a schema accepts: `wait, fire_and_forget`, `a string`, `a map (when)`. */
export function describeSchema(s: Schema): string {
  const u = unwrap(s);
  if (u === conditionSchema) return 'a condition map';
  const d = defOf(u);
  switch (d.type) {
    case 'enum':
      return Object.values(d.entries ?? {})
        .map(String)
        .join(', ');
    case 'literal':
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(', ');
    case 'object': {
      const keys = Object.keys(d.shape ?? {});
      return keys.length === 1 ? `{ ${keys[0]}: … }` : `a map (${keys.join(', ')})`;
    }
    case 'array':
      return 'a list';
    case 'record':
      return 'a map';
    case 'union':
      return joinOr((d.options ?? []).map(describeSchema));
    case 'string':
      return 'a string';
    case 'number':
    case 'int':
      return 'a number';
    case 'boolean':
      return 'true/false';
    case 'null':
      return 'null';
    default:
      return d.type;
  }
}

export function joinOr(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
