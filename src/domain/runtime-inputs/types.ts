/**
 * Vocabulary of the Harness runtime-input resolver. Other layers (manifest cross-check, the
 * harness.pipeline action, dry-run) code against these names: add fields, never rename.
 */
import type { BindingSpec } from '../../manifests/schema.ts';

/** What follows `<+input>`: `.default(x)`, `.allowedValues(a,b)`, `.regex(re)`, `.executionInput()`… */
export interface InputModifiers {
  default?: string;
  allowedValues?: string[];
  selectOneFrom?: string[];
  selectManyFrom?: string[];
  regex?: string;
  executionInput: boolean;
}

/** One runtime input found in the pasted Run-YAML. */
export interface Placeholder {
  /** short key: `<+input.name>` → name; a `variables` item's `value` → the item's name; else the field name */
  key: string;
  /** full dotted path incl. root, e.g. pipeline.variables[1].value */
  path: string;
  /** the same path without its root segment (`stages[0]…` for `pipeline.stages[0]…`), when the
   *  document has a single wrapper root (pipeline:, template:, inputSet: …) */
  pathWithoutRoot?: string;
  segments: (string | number)[];
  /** the scalar as written (its parsed value) */
  raw: string;
  /** `<+input.name>` form (Harness AI SRE runbooks): placeholders sharing a name share one value */
  named: boolean;
  modifiers: InputModifiers;
  /** 1-based position within the Run-YAML text */
  line: number;
  col: number;
}

export interface RunYamlError {
  message: string;
  key?: string;
  path?: string;
  line?: number;
  col?: number;
}

export type BindVia = 'from' | 'input' | 'value' | 'default' | 'executionInput';

export interface PlannedPlaceholder {
  placeholder: Placeholder;
  via: BindVia;
  binding?: BindingSpec;
  /** the `bind:` key that supplied the binding (a short key or a path) */
  bindKey?: string;
}

export interface ResolvedValue {
  key: string;
  path: string;
  /** null: left verbatim for Harness to ask at run time (`.executionInput()`) */
  value: string | string[] | null;
  via: BindVia;
  /** where the value came from, for humans: `incident.service`, `input environment`, `default` … */
  source?: string;
}
