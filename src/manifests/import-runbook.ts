/**
 * Pure: a Harness runtime-input template (the Run modal's YAML) → a runbook YAML in which every
 * placeholder is bound, so an author starts from a manifest that validates instead of a blank page:
 * - obvious incident fields are bound from the incident (service, environment, incidentId, …);
 * - `.allowedValues(…)` / `.selectOneFrom(…)` become select inputs (an incident field with fixed
 *   choices becomes a select pre-filled from the incident, so a responder can still change it);
 * - `.default(…)` is kept as the input's default; `.executionInput()` is left to Harness (asked
 *   mid-run), everything else becomes a text input the modal asks for.
 */
import { Document, isMap, isScalar, Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { parseRunYaml, type Placeholder } from '../domain/runtime-inputs/index.ts';
import { bindKeyFor, indexPlaceholders } from '../domain/runtime-inputs/plan-bindings.ts';

export interface ImportRequest {
  org: string;
  project: string;
  pipeline: string;
  /** Runbook id; default derived from the pipeline identifier. */
  id?: string;
  /** The template YAML ('' for a pipeline without runtime inputs). */
  template: string;
}

export interface ImportedBinding {
  bindKey: string;
  /** `incident.service`, `input environment`, or `harness (execution input)`. */
  source: string;
  places: string[];
}

export interface ImportResult {
  id: string;
  yaml: string;
  bindings: ImportedBinding[];
  /** Problems with the template itself (unparseable YAML): the runbook still carries it verbatim. */
  problems: string[];
}

/** Placeholder names (lower-cased, `_`/`-` dropped) that mean an incident field. */
const INCIDENT_FIELDS: Record<string, string> = {
  service: 'service',
  servicename: 'service',
  serviceref: 'service',
  serviceid: 'service',
  environment: 'environment',
  env: 'environment',
  envname: 'environment',
  environmentname: 'environment',
  environmentref: 'environment',
  envref: 'environment',
  incidentid: 'id',
  incident: 'id',
  incidentkey: 'id',
  severity: 'severity',
  priority: 'severity',
  summary: 'summary',
  incidentsummary: 'summary',
  incidenttitle: 'summary',
  title: 'summary',
  commander: 'commander',
  incidentcommander: 'commander',
  channel: 'channel',
  slackchannel: 'channel',
};

/** A runbook id (`[a-z0-9-]`) from a Harness identifier like `Rollback_Service`. */
export function runbookIdFor(pipeline: string): string {
  const id = pipeline
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return id || 'imported-pipeline';
}

/** An input name (`^[A-Za-z_]\w*$`) from a placeholder key or path. */
function inputNameFor(key: string, taken: Set<string>): string {
  let base =
    key
      .replace(/\[(\d+)\]/g, '_$1')
      .replace(/\W+/g, '_')
      .replace(/^_+|_+$/g, '') || 'value';
  if (/^\d/.test(base)) base = `v_${base}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

function labelFor(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.\-[\]]+/g, ' ')
    .trim();
  const label = words.charAt(0).toUpperCase() + words.slice(1);
  return label.length > 48 ? `${label.slice(0, 47)}…` : label || 'Value';
}

const choicesOf = (p: Placeholder): string[] | undefined =>
  p.modifiers.allowedValues ?? p.modifiers.selectOneFrom ?? undefined;

const flow = (doc: Document, value: Record<string, unknown>) => {
  const node = doc.createNode(value) as YAMLMap;
  node.flow = true;
  return node;
};

export function runbookFromTemplate(req: ImportRequest): ImportResult {
  const id = req.id ?? runbookIdFor(req.pipeline);
  const problems: string[] = [];
  const parsed = req.template.trim() ? parseRunYaml(req.template) : { placeholders: [], errors: [] };
  problems.push(...parsed.errors.map((e) => (e.line ? `line ${e.line}: ${e.message}` : e.message)));
  const index = indexPlaceholders(parsed.placeholders);

  // One binding per bind key: placeholders sharing a usable short key share one value.
  const groups = new Map<string, Placeholder[]>();
  for (const p of parsed.placeholders) {
    const k = bindKeyFor(p, index);
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }

  const doc = new Document({});
  const inputs: Record<string, unknown>[] = [];
  const bind: Record<string, unknown> = {};
  const bindings: ImportedBinding[] = [];
  const taken = new Set<string>();
  for (const [bindKey, places] of groups) {
    const p = places[0]!;
    const paths = places.map((x) => x.path);
    if (places.every((x) => x.modifiers.executionInput)) {
      bindings.push({ bindKey, source: 'harness (execution input, asked during the run)', places: paths });
      continue;
    }
    const field = INCIDENT_FIELDS[p.key.toLowerCase().replace(/[_-]/g, '')];
    const choices = choicesOf(p);
    const multi = p.modifiers.selectManyFrom;
    if (field && !choices && !multi && !p.modifiers.regex) {
      bind[bindKey] = flow(doc, { from: `incident.${field}` });
      bindings.push({ bindKey, source: `incident.${field}`, places: paths });
      continue;
    }
    const name = inputNameFor(bindKey, taken);
    const input: Record<string, unknown> = { name, label: labelFor(p.key) };
    const notes: string[] = [];
    if (choices) {
      const options = doc.createNode(choices) as YAMLSeq;
      options.flow = true;
      Object.assign(input, { type: 'select', options });
    } else if (multi) notes.push(`comma-separated, from: ${multi.join(', ')}`);
    if (p.modifiers.regex) notes.push(`must match ${p.modifiers.regex}`);
    if (notes.length) input.description = notes.join('; ').slice(0, 150);
    if (p.modifiers.default !== undefined) input.default = p.modifiers.default;
    // An incident field with fixed choices: pre-fill from the incident, let the responder change it.
    else if (field) input.default = `{{ incident.${field} }}`;
    input.required = p.modifiers.default === undefined;
    inputs.push(input);
    bind[bindKey] = flow(doc, { input: name });
    bindings.push({ bindKey, source: `input ${name}`, places: paths });
  }

  const runbook: Record<string, unknown> = {
    kind: 'Runbook',
    id,
    name: `Run ${req.pipeline}`.slice(0, 80),
    description: `Runs the Harness pipeline ${req.pipeline} (org ${req.org}, project ${req.project}).`,
  };
  if (inputs.length) runbook.inputs = inputs;
  runbook.steps = [
    {
      id: 'run',
      name: `Run ${req.pipeline}`.slice(0, 80),
      uses: 'harness.pipeline',
      with: {
        org: req.org,
        project: req.project,
        pipeline: req.pipeline,
        mode: 'wait',
        timeout: '30m',
        inputs: req.template.endsWith('\n') || req.template === '' ? req.template : `${req.template}\n`,
        ...(Object.keys(bind).length ? { bind: {} } : {}),
      },
    },
  ];
  doc.contents = doc.createNode(runbook) as never;
  const withNode = doc.getIn(['steps', 0, 'with'], true);
  if (isMap(withNode)) {
    const inputsNode = withNode.get('inputs', true);
    if (isScalar(inputsNode) && req.template) inputsNode.type = Scalar.BLOCK_LITERAL;
    if (Object.keys(bind).length) {
      const bindNode = doc.createNode({}) as YAMLMap;
      for (const [k, v] of Object.entries(bind)) bindNode.set(k, v);
      withNode.set('bind', bindNode);
    }
  }
  doc.commentBefore =
    ` Imported from Harness (${req.org}/${req.project}/${req.pipeline}) by runbook-bot import.\n` +
    ' Review the bindings: incident fields are bound automatically, the rest are asked in the modal.';
  return { id, yaml: doc.toString({ lineWidth: 0 }), bindings, problems };
}
