/**
 * `runbook-bot validate [dir]`: every manifest problem as file:line:col (exit 1), or a summary of
 * what the bot would load — every kind counted, deployment gates included, since a gate that
 * silently failed to load would leave deployments open during an incident (exit 0).
 */
import { loadManifests, formatManifestError } from '../manifests/load.ts';
import type { Catalog } from '../manifests/schema.ts';

/** The summary lines of a valid catalog. */
export function validateSummary(catalog: Catalog, files: number, dir: string): string[] {
  const gates = [...(catalog.gates?.values() ?? [])];
  const lines = [
    `✓ ${files} file(s), ${catalog.runbooks.size} runbook(s), ${catalog.incidentTypes.size} incident type(s), ${catalog.access ? 1 : 0} access policy, ${gates.length} deployment gate(s) in ${dir}`,
  ];
  for (const rb of catalog.runbooks.values()) {
    const aliases = rb.aliases.length ? ` (aliases: ${rb.aliases.join(', ')})` : '';
    lines.push(
      `  • ${rb.id}${aliases} — ${rb.name}: ${rb.steps.length} step(s), ${rb.triggers.length} trigger(s)`,
    );
  }
  for (const g of gates) {
    const exempt = g.exempt.runbooks.length ? `, exempt: ${g.exempt.runbooks.join(', ')}` : '';
    const freeze = g.harness?.freeze ? ', Harness freeze window' : '';
    lines.push(`  • gate ${g.id} — ${g.name}${freeze}${exempt}`);
  }
  return lines;
}

/** Exit code 0 valid, 1 any error (each printed with file:line:col). */
export function validateCmd(
  dir: string,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): number {
  const { catalog, errors, files } = loadManifests(dir);
  if (errors.length) {
    for (const e of errors) err(formatManifestError(e));
    err(`\n✗ ${errors.length} error(s) in ${dir}`);
    return 1;
  }
  for (const line of validateSummary(catalog, files.length, dir)) out(line);
  return 0;
}
