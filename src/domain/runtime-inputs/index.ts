/**
 * Harness runtime-input resolver: find every `<+input>` in a pasted Run-YAML, check a runbook's
 * `bind:` against them at load time, and at run time fill them in on the YAML tree.
 */
export type {
  InputModifiers,
  Placeholder,
  RunYamlError,
  BindVia,
  PlannedPlaceholder,
  ResolvedValue,
} from './types.ts';
export { parseRunYaml } from './parse-run-yaml.ts';
export type { ParsedRunYaml } from './parse-run-yaml.ts';
export { planBindings, defaultValueOf } from './plan-bindings.ts';
export { validateValue } from './validate-value.ts';
export { resolveRunYaml } from './resolve-run-yaml.ts';
export type { BindingSource } from './resolve-run-yaml.ts';
export { renderRunYaml } from './render-run-yaml.ts';
export { scanPlaceholder, MODIFIER_NAMES } from './modifier-scanner.ts';
export type { ScanResult } from './modifier-scanner.ts';
export { checkBinding } from './binding-sources.ts';
export type { SourceNames } from './binding-sources.ts';
export { joinManyValues, splitListArg } from './arg-lists.ts';
