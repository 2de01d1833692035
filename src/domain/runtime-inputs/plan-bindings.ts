/**
 * Load-time check of a runbook's `bind:` against the placeholders of its Run-YAML, so a typo is
 * reported by `validate` in CI and not at 3 a.m.: every placeholder bound, defaulted or left to
 * Harness (`.executionInput()`); every bind key names a placeholder; no ambiguous short key.
 *
 * A bind key is a placeholder's short key, its full path, or its path without the root segment.
 * `<+input.name>` placeholders sharing a name share one binding on purpose; other placeholders
 * sharing a short key (two `environmentRef`s) must each be bound by path.
 */
import type { BindingSpec } from '../../manifests/schema.ts';
import type { PlannedPlaceholder, Placeholder, RunYamlError } from './types.ts';
import { checkBinding, toInputValue } from './binding-sources.ts';
import type { SourceNames } from './binding-sources.ts';
import { describeRules, validateValue } from './validate-value.ts';
import { splitListArg } from './arg-lists.ts';

export interface KeyIndex {
  byPath: Map<string, Placeholder>;
  byKey: Map<string, Placeholder[]>;
}

export function indexPlaceholders(placeholders: readonly Placeholder[]): KeyIndex {
  const byPath = new Map<string, Placeholder>();
  const byKey = new Map<string, Placeholder[]>();
  for (const p of placeholders) {
    byPath.set(p.path, p);
    if (p.pathWithoutRoot !== undefined && !byPath.has(p.pathWithoutRoot)) byPath.set(p.pathWithoutRoot, p);
    byKey.set(p.key, [...(byKey.get(p.key) ?? []), p]);
  }
  return { byPath, byKey };
}

/** A short key can be bound when it is unique, or shared only by `<+input.name>` placeholders. */
function keyIsUsable(group: readonly Placeholder[]): boolean {
  return group.length === 1 || group.every((p) => p.named);
}

/** The bind key to suggest for a placeholder: its short key when usable, else its path. */
export function bindKeyFor(p: Placeholder, index: KeyIndex): string {
  return keyIsUsable(index.byKey.get(p.key) ?? [p]) ? p.key : (p.pathWithoutRoot ?? p.path);
}

export function planBindings(
  placeholders: Placeholder[],
  bind: Record<string, BindingSpec>,
  names: SourceNames = {},
): { plan: PlannedPlaceholder[]; errors: RunYamlError[] } {
  const index = indexPlaceholders(placeholders);
  const errors: RunYamlError[] = [];
  const byKeyBinding = new Map<Placeholder, { binding: BindingSpec; bindKey: string }>();
  const byPathBinding = new Map<Placeholder, { binding: BindingSpec; bindKey: string }>();

  for (const [bindKey, binding] of Object.entries(bind)) {
    const refProblem = checkBinding(binding, names);
    if (refProblem) errors.push({ message: `bind "${bindKey}": ${refProblem}`, key: bindKey });

    const target = index.byPath.get(bindKey);
    const group = index.byKey.get(bindKey);
    // A word that is both a path and a short key of other places (`svc:` at the root and a
    // `<+input.svc>` elsewhere) could mean either: refuse to guess.
    if (target && group && group.some((p) => p !== target)) {
      const paths = [target, ...group.filter((p) => p !== target)]
        .map((p) => `${p.path} (line ${p.line})`)
        .join(', ');
      errors.push({
        message: `bind "${bindKey}" is ambiguous: it is a path and a key of several runtime inputs: ${paths}; bind each one by its full path instead`,
        key: bindKey,
      });
      continue;
    }
    if (target) {
      const prev = byPathBinding.get(target);
      if (prev) {
        errors.push({
          message: `bind "${bindKey}" and "${prev.bindKey}" both name ${target.path}; keep one`,
          key: bindKey,
          path: target.path,
        });
        continue;
      }
      byPathBinding.set(target, { binding, bindKey });
      continue;
    }
    if (!group) {
      errors.push({ message: unknownKeyMessage(bindKey, placeholders, index), key: bindKey });
      continue;
    }
    if (!keyIsUsable(group)) {
      const paths = group.map((p) => `${p.pathWithoutRoot ?? p.path} (line ${p.line})`).join(', ');
      errors.push({
        message: `bind "${bindKey}" is ambiguous: ${group.length} runtime inputs are called "${bindKey}": ${paths}; bind each one by its path instead`,
        key: bindKey,
      });
      continue;
    }
    for (const p of group) byKeyBinding.set(p, { binding, bindKey });
  }

  const plan: PlannedPlaceholder[] = [];
  for (const p of placeholders) {
    // A path binding is the more specific one: it overrides a short-key binding for that place.
    const bound = byPathBinding.get(p) ?? byKeyBinding.get(p);
    if (bound) {
      const via = 'from' in bound.binding ? 'from' : 'input' in bound.binding ? 'input' : 'value';
      errors.push(...checkFixedValue(p, bound.binding, bound.bindKey));
      plan.push({ placeholder: p, via, binding: bound.binding, bindKey: bound.bindKey });
    } else if (p.modifiers.executionInput) {
      // Harness asks for it during the run (with its default pre-filled): send it verbatim.
      plan.push({ placeholder: p, via: 'executionInput' });
    } else if (p.modifiers.default !== undefined) {
      const problem = validateValue(p, defaultValueOf(p));
      if (problem)
        errors.push(placeError(p, `its .default(${p.modifiers.default}) is not valid: ${problem}`));
      plan.push({ placeholder: p, via: 'default' });
    } else {
      errors.push(
        placeError(
          p,
          `runtime input "${p.key}" is not bound and has no .default(); add under bind: ` +
            `${bindKeyFor(p, index)}: { from: incident.<field> } or { input: <name> } or { value: <text> }${describeRules(p)}`,
        ),
      );
    }
  }
  return { plan, errors };
}

/** The value `.default(x)` stands for; a multi-select default lists its items like the UI writes them. */
export function defaultValueOf(p: Placeholder): string | string[] | undefined {
  const d = p.modifiers.default;
  if (d === undefined) return undefined;
  return p.modifiers.selectManyFrom !== undefined ? splitListArg(d).filter((s) => s !== '') : d;
}

/** A `{value: x}` binding is known at load time: validate it now. */
function checkFixedValue(p: Placeholder, binding: BindingSpec, bindKey: string): RunYamlError[] {
  if (!('value' in binding)) return [];
  const v = toInputValue(binding.value, p.modifiers.selectManyFrom !== undefined);
  const problem = 'error' in v ? `runtime input "${p.key}" ${v.error}` : validateValue(p, v.value);
  return problem ? [placeError(p, `bind "${bindKey}": ${problem}`)] : [];
}

export function placeError(p: Placeholder, message: string): RunYamlError {
  return {
    message: `${message} (at ${p.path}, line ${p.line})`,
    key: p.key,
    path: p.path,
    line: p.line,
    col: p.col,
  };
}

function unknownKeyMessage(bindKey: string, placeholders: readonly Placeholder[], index: KeyIndex): string {
  if (placeholders.length === 0)
    return `bind "${bindKey}" names no runtime input: the Run-YAML has no <+input> placeholders`;
  const available = [...new Set(placeholders.map((p) => bindKeyFor(p, index)))];
  const near = available.find((k) => k.toLowerCase() === bindKey.toLowerCase());
  return `bind "${bindKey}" names no runtime input in the Run-YAML${near ? ` (did you mean "${near}"?)` : ''}; available keys: ${available.join(', ')}`;
}
