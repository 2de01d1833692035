/**
 * harness.pipeline steps: the pasted Run-YAML parses, every `<+input>` is bound, defaulted or left to
 * Harness (`.executionInput()`), every bind key names a placeholder, and bindings name real incident
 * fields and declared inputs. The resolver (domain/runtime-inputs) does the checking; this file maps
 * its Run-YAML-relative positions onto the manifest file.
 */
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import { parseRunYaml, planBindings } from '../domain/runtime-inputs/index.ts';
import type { RunYamlError } from '../domain/runtime-inputs/index.ts';
import type { HarnessPipelineWith, RunbookInput } from './schema.ts';
import type { TypeContext } from './references.ts';
import type { PathSegment } from './manifest-error.ts';
import type { Report } from './report.ts';
import type { SourceDoc } from './yaml-source.ts';

export interface PipelineContext {
  type: TypeContext;
  inputs: readonly RunbookInput[];
}

export function checkPipelineStep(
  doc: SourceDoc,
  base: PathSegment[],
  w: HarnessPipelineWith,
  ctx: PipelineContext,
  report: Report,
): void {
  const inputsPath = [...base, 'inputs'];
  const parsed = parseRunYaml(w.inputs);
  const names = { inputs: ctx.inputs.map((i) => i.name), customFields: typeCustomFields(ctx.type) };
  const planned =
    parsed.errors.length > 0 ? { errors: [] } : planBindings(parsed.placeholders, w.bind, names);
  for (const e of [...parsed.errors, ...planned.errors]) toManifestError(doc, base, e, report);
  if (parsed.errors.length === 0) checkPipelineIdentifier(doc, inputsPath, w, report);
}

function toManifestError(doc: SourceDoc, base: PathSegment[], e: RunYamlError, report: Report): void {
  if (e.line !== undefined && e.col !== undefined) {
    const inputsPath = [...base, 'inputs'];
    report(doc, inputsPath, e.message, doc.locateInBlock(inputsPath, e.line, e.col));
    return;
  }
  if (e.key !== undefined) {
    report(doc, [...base, 'bind', e.key], e.message, 'key');
    return;
  }
  report(doc, [...base, 'inputs'], e.message);
}

/** A Run-YAML copied from another pipeline's Run tab is a classic paste mistake: compare identifiers. */
function checkPipelineIdentifier(
  doc: SourceDoc,
  inputsPath: PathSegment[],
  w: HarnessPipelineWith,
  report: Report,
): void {
  const lineCounter = new LineCounter();
  const runYaml = parseDocument(w.inputs, { lineCounter });
  const root = runYaml.contents;
  if (!isMap(root)) return;
  const pipeline = root.get('pipeline', true);
  if (!isMap(pipeline)) return;
  const ident = pipeline.get('identifier', true);
  if (!isScalar(ident) || typeof ident.value !== 'string' || ident.value === w.pipeline) return;
  const { line, col } = lineCounter.linePos(ident.range?.[0] ?? 0);
  const message = `the Run-YAML is for pipeline "${ident.value}" but with.pipeline is "${w.pipeline}"; paste the Run → YAML of ${w.pipeline} or fix with.pipeline`;
  report(doc, inputsPath, message, doc.locateInBlock(inputsPath, line, col));
}

/** For `any`: no custom fields at all; for a type that does not exist (reported already): no check. */
function typeCustomFields(type: TypeContext): string[] | undefined {
  if (type === undefined) return undefined;
  return type === null ? [] : type.fields.map((f) => f.name);
}
