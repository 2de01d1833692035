/**
 * Checks that need more than one document: unique ids and aliases, incident types and roles that
 * exist, one access policy. Per-runbook reference checks live in crosscheck-runbook.ts. Builds the
 * Catalog from what passed the schemas (on a duplicate id the first one loaded wins).
 */
import type { AccessPolicy, Catalog, IncidentType, Runbook } from './schema.ts';
import type { ManifestError } from './manifest-error.ts';
import type { Located, ValidManifests } from './load-texts.ts';
import { reporter, where } from './report.ts';
import type { Report } from './report.ts';
import { checkRunbook } from './crosscheck-runbook.ts';
import type { TypeContext } from './references.ts';
import { checkIncidentType, checkPolicy } from './crosscheck-kinds.ts';
import { checkGates } from './crosscheck-gates.ts';

/** Built-in role: the incident's commander, whoever that is when the run is requested. */
export const BUILTIN_ROLES = ['commanders'] as const;
/** `/runbook <word>` subcommands: a runbook named like one could never be opened by its name. */
export const RESERVED_RUNBOOK_WORDS = ['list', 'status', 'explain', 'cancel', 'help'] as const;
/** Incident type id meaning "base fields only". */
export const ANY_INCIDENT_TYPE = 'any';

export function crossCheck(valid: ValidManifests): { catalog: Catalog; errors: ManifestError[] } {
  const errors: ManifestError[] = [];
  const report = reporter(errors);
  const catalog: Catalog = {
    runbooks: new Map(),
    incidentTypes: new Map(),
    access: null,
    aliases: new Map(),
    sources: new Map(),
  };

  const types = uniqueIncidentTypes(valid.incidentTypes, report);
  for (const [id, t] of types) {
    catalog.incidentTypes.set(id, t.manifest);
    checkIncidentType(t, report);
  }

  const [policy, ...extra] = valid.policies;
  if (policy) {
    catalog.access = policy.manifest;
    checkPolicy(policy, report);
  }
  for (const p of extra) {
    report(
      p.doc,
      ['kind'],
      `only one AccessPolicy is allowed; the first is at ${where(policy!.doc, ['kind'])}`,
    );
  }

  const runbooks = uniqueRunbooks(valid.runbooks, report);
  registerAliases(runbooks, catalog, report);
  for (const [id, r] of runbooks) {
    catalog.runbooks.set(id, r.manifest);
    catalog.sources.set(id, { file: r.doc.file, line: r.doc.locate([]).line });
    const type = checkIncidentTypeRef(r, catalog.incidentTypes, report);
    checkRoles(r, policy?.manifest ?? null, report);
    checkRunbook(r, type, report);
  }
  catalog.gates = checkGates(valid.gates ?? [], catalog, report);
  return { catalog, errors };
}

function uniqueIncidentTypes(
  list: Located<IncidentType>[],
  report: Report,
): Map<string, Located<IncidentType>> {
  const seen = new Map<string, Located<IncidentType>>();
  for (const t of list) {
    const id = t.manifest.id;
    const first = seen.get(id);
    if (first)
      report(
        t.doc,
        ['id'],
        `duplicate incident type id "${id}": also defined at ${where(first.doc, ['id'])}`,
      );
    else if (id === ANY_INCIDENT_TYPE)
      report(t.doc, ['id'], `"${id}" is reserved (context.incidentType: any means base fields only)`);
    else seen.set(id, t);
  }
  return seen;
}

function uniqueRunbooks(list: Located<Runbook>[], report: Report): Map<string, Located<Runbook>> {
  const seen = new Map<string, Located<Runbook>>();
  for (const r of list) {
    const id = r.manifest.id;
    const first = seen.get(id);
    if (first) {
      report(r.doc, ['id'], `duplicate runbook id "${id}": also defined at ${where(first.doc, ['id'])}`);
      continue;
    }
    if ((RESERVED_RUNBOOK_WORDS as readonly string[]).includes(id)) {
      report(
        r.doc,
        ['id'],
        `"${id}" is a /runbook subcommand (${RESERVED_RUNBOOK_WORDS.join(', ')}); choose another id`,
      );
    }
    seen.set(id, r);
  }
  return seen;
}

/** An alias is one more name for `/runbook <name>`: it must not be any other runbook's id or alias. */
function registerAliases(runbooks: Map<string, Located<Runbook>>, catalog: Catalog, report: Report): void {
  const aliasAt = new Map<string, { r: Located<Runbook>; i: number }>();
  for (const r of runbooks.values()) {
    r.manifest.aliases.forEach((alias, i) => {
      const path = ['aliases', i];
      const owner = runbooks.get(alias);
      const first = aliasAt.get(alias);
      if (owner && owner !== r) {
        report(
          r.doc,
          path,
          `alias "${alias}" is the id of runbook ${alias} (${where(owner.doc, ['id'])}); choose another alias`,
        );
      } else if (first) {
        const other = first.r === r ? 'this runbook' : `runbook ${first.r.manifest.id}`;
        report(
          r.doc,
          path,
          `duplicate alias "${alias}": also an alias of ${other} at ${where(first.r.doc, ['aliases', first.i])}`,
        );
      } else if ((RESERVED_RUNBOOK_WORDS as readonly string[]).includes(alias)) {
        report(
          r.doc,
          path,
          `"${alias}" is a /runbook subcommand (${RESERVED_RUNBOOK_WORDS.join(', ')}); choose another alias`,
        );
      } else if (!owner) {
        aliasAt.set(alias, { r, i });
        catalog.aliases.set(alias, r.manifest.id);
      }
    });
  }
}

/** The runbook's incident type; null for `any`, undefined when it does not exist (reported here). */
function checkIncidentTypeRef(
  r: Located<Runbook>,
  types: Map<string, IncidentType>,
  report: Report,
): TypeContext {
  const id = r.manifest.context.incidentType;
  if (id === ANY_INCIDENT_TYPE) return null;
  const t = types.get(id);
  if (!t) {
    const known = [ANY_INCIDENT_TYPE, ...types.keys()].join(', ');
    report(r.doc, ['context', 'incidentType'], `unknown incident type "${id}" (defined: ${known})`);
  }
  return t;
}

function checkRoles(r: Located<Runbook>, policy: AccessPolicy | null, report: Report): void {
  const defined = [...BUILTIN_ROLES, ...Object.keys(policy?.roles ?? {}).filter((k) => k !== 'commanders')];
  const raw = (r.doc.data as { access?: Record<string, unknown> }).access;
  for (const key of ['run', 'approve'] as const) {
    // Roles the author did not write are defaults; without a policy there is nothing to check them against.
    const written = Array.isArray(raw?.[key]);
    if (!written && !policy) continue;
    r.manifest.access[key].forEach((role, i) => {
      if (defined.includes(role)) return;
      const path = written ? ['access', key, i] : ['access', key];
      const why = policy
        ? `defined: ${defined.join(', ')}`
        : 'there is no AccessPolicy manifest; only commanders is built in';
      const message = written
        ? `unknown role "${role}" in access.${key} (${why})`
        : `access.${key} is not set, so it defaults to [${role}], which is not a role (${why}); set access.${key}`;
      report(r.doc, path, message);
    });
  }
}
