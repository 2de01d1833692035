/**
 * Run time: look every bound value up (incident, modal inputs, literals, defaults), validate all
 * of them — collecting every error, so the responder sees the whole list at once — and only
 * when everything is valid render the YAML that is sent to Harness.
 */
import type { BindingSpec } from '../../manifests/schema.ts';
import type { Incident } from '../types.ts';
import type { ResolvedValue, RunYamlError } from './types.ts';
import { parseRunYaml } from './parse-run-yaml.ts';
import { defaultValueOf, placeError, planBindings } from './plan-bindings.ts';
import { describeBinding, readBinding, toInputValue } from './binding-sources.ts';
import { validateValue } from './validate-value.ts';
import { renderRunYaml } from './render-run-yaml.ts';

export interface BindingSource {
  /** the Incident of src/domain/types.ts (custom fields under `.fields`) */
  incident: Incident | Record<string, unknown>;
  /** the user's modal values, by runbook input name */
  inputs: Record<string, unknown>;
}

export function resolveRunYaml(
  text: string,
  bind: Record<string, BindingSpec>,
  source: BindingSource,
): { yaml: string; resolved: ResolvedValue[]; errors: RunYamlError[] } {
  const parsed = parseRunYaml(text);
  if (parsed.errors.length > 0) return { yaml: '', resolved: [], errors: parsed.errors };
  const planned = planBindings(parsed.placeholders, bind);
  if (planned.errors.length > 0) return { yaml: '', resolved: [], errors: planned.errors };

  const resolved: ResolvedValue[] = [];
  const errors: RunYamlError[] = [];
  const values = new Map<string, string | string[]>();
  for (const { placeholder: p, via, binding } of planned.plan) {
    if (via === 'executionInput') {
      resolved.push({
        key: p.key,
        path: p.path,
        value: null,
        via,
        source: 'asked by Harness during the run',
      });
      continue;
    }
    const label = binding === undefined ? 'default' : describeBinding(binding);
    const raw =
      binding === undefined
        ? defaultValueOf(p)
        : readBinding(binding, {
            incident: source.incident as Record<string, unknown>,
            inputs: source.inputs,
          });
    const converted = toInputValue(raw, p.modifiers.selectManyFrom !== undefined);
    if ('error' in converted) {
      errors.push(placeError(p, `runtime input "${p.key}": the value from ${label} ${converted.error}`));
      continue;
    }
    const { value } = converted;
    // Incident fields and modal text are typed by people in Slack; Harness would evaluate a
    // `<+secrets.getValue(..)>` inside them. Runbook authors' literals and defaults may use expressions.
    if ((via === 'from' || via === 'input') && [value ?? []].flat().some((v) => v.includes('<+'))) {
      errors.push(
        placeError(
          p,
          `runtime input "${p.key}": the value from ${label} contains "<+", which Harness would evaluate as an expression; incident fields and user input may not carry Harness expressions`,
        ),
      );
      continue;
    }
    const problem = validateValue(p, value);
    if (problem !== null || value === null) {
      errors.push(
        placeError(p, `${problem ?? `runtime input "${p.key}" needs a value`} (value from ${label})`),
      );
      continue;
    }
    values.set(p.path, value);
    resolved.push({ key: p.key, path: p.path, value, via, source: label });
  }
  if (errors.length > 0) return { yaml: '', resolved, errors };
  try {
    return { yaml: renderRunYaml(text, values), resolved, errors: [] };
  } catch (e) {
    // renderRunYaml refuses output that would not read back as written; report, never send.
    return { yaml: '', resolved, errors: [{ message: e instanceof Error ? e.message : String(e) }] };
  }
}
