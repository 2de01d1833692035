/**
 * Cross-checks of DeploymentGate manifests: unique ids, a `when:` that reads incident fields only
 * (gates are evaluated over open incidents, never during a run), exempt runbooks that exist, and a
 * Harness scope that Harness can address (a project needs its org).
 */
import type { Catalog, DeploymentGate } from './schema.ts';
import type { Located } from './load-texts.ts';
import type { Report } from './report.ts';
import { where } from './report.ts';
import { checkCondition } from './crosscheck-expressions.ts';
import { checkTriggerPath } from './references.ts';
import { didYouMean } from './wording.ts';

export function checkGates(
  list: Located<DeploymentGate>[],
  catalog: Catalog,
  report: Report,
): Map<string, DeploymentGate> {
  const gates = new Map<string, Located<DeploymentGate>>();
  for (const g of list) {
    const first = gates.get(g.manifest.id);
    if (first) {
      report(
        g.doc,
        ['id'],
        `duplicate gate id "${g.manifest.id}": also defined at ${where(first.doc, ['id'])}`,
      );
      continue;
    }
    gates.set(g.manifest.id, g);
    checkGate(g, catalog, report);
  }
  return new Map([...gates].map(([id, g]) => [id, g.manifest]));
}

function checkGate({ manifest: gate, doc }: Located<DeploymentGate>, catalog: Catalog, report: Report): void {
  // Incidents of every type meet a gate, so custom fields are allowed without a type (undefined).
  checkCondition(doc, ['when'], gate.when, (p) => checkTriggerPath(p, undefined), false, report);
  for (const [axis, field] of [
    ['environments', 'environment'],
    ['services', 'service'],
  ] as const) {
    const spec = gate.scope[axis];
    if (typeof spec === 'object' && !Array.isArray(spec) && spec.from !== `incident.${field}`) {
      report(
        doc,
        ['scope', axis, 'from'],
        `scope.${axis} can only come from incident.${field} (or write from-incident), got "${spec.from}"`,
      );
    }
  }
  const known = [...catalog.runbooks.keys()];
  gate.exempt.runbooks.forEach((id, i) => {
    if (catalog.runbooks.has(id)) return;
    const alias = catalog.aliases.get(id);
    const hint = alias ? ` ("${id}" is an alias of ${alias}; write the id)` : didYouMean(id, known);
    report(
      doc,
      ['exempt', 'runbooks', i],
      `unknown runbook "${id}" (runbooks: ${known.join(', ') || 'none'})${hint}`,
    );
  });
  const h = gate.harness;
  if (h?.project !== undefined && h.org === undefined) {
    report(
      doc,
      ['harness', 'project'],
      'a project-level freeze window needs harness.org too (or omit both for an account-level window)',
    );
  }
  if (h && !h.freeze && (h.org !== undefined || h.project !== undefined)) {
    report(
      doc,
      ['harness'],
      'harness.org/project only matter with harness.freeze: true; set it or remove harness',
    );
  }
}
