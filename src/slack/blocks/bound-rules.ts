/**
 * What Harness will accept for a runbook input, read from the Run-YAML placeholders it is bound to
 * (`environment: { input: environment }` → `<+input>.allowedValues(dev,qa,prod)`), so the modal can
 * offer a select instead of a text box that fails after submit.
 */
import type { Runbook } from '../../manifests/schema.ts';
import { parseRunYaml, planBindings } from '../../domain/runtime-inputs/index.ts';
import { listIsDynamic } from '../../domain/runtime-inputs/modifier-scanner.ts';

export interface InputRule {
  /** intersection of every bound placeholder's fixed list */
  allowed?: string[];
  /** regexes Harness checks (full match) */
  regex?: string[];
}

/** Runbooks are immutable once loaded (a reload makes new objects), so parse each Run-YAML once. */
const cache = new WeakMap<Runbook, Map<string, InputRule>>();

export function boundRules(runbook: Runbook): Map<string, InputRule> {
  const hit = cache.get(runbook);
  if (hit) return hit;
  const rules = computeRules(runbook);
  cache.set(runbook, rules);
  return rules;
}

function computeRules(runbook: Runbook): Map<string, InputRule> {
  const rules = new Map<string, InputRule>();
  for (const step of runbook.steps ?? []) {
    if (step.uses !== 'harness.pipeline') continue;
    const parsed = parseRunYaml(step.with.inputs ?? '');
    if (parsed.errors.length > 0) continue;
    const { plan } = planBindings(parsed.placeholders, step.with.bind ?? {});
    for (const p of plan) {
      if (!p.binding || !('input' in p.binding)) continue;
      const name = p.binding.input;
      const rule = rules.get(name) ?? {};
      const m = p.placeholder.modifiers;
      const list = m.allowedValues ?? m.selectOneFrom;
      if (list && list.length > 0 && !listIsDynamic(list)) {
        rule.allowed = rule.allowed ? rule.allowed.filter((v) => list.includes(v)) : [...list];
      }
      if (m.regex !== undefined) rule.regex = [...(rule.regex ?? []), m.regex];
      rules.set(name, rule);
    }
  }
  return rules;
}
