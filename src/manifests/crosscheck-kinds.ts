/** Checks of IncidentType and AccessPolicy documents that a zod schema cannot express. */
import type { AccessPolicy, IncidentType } from './schema.ts';
import type { Located } from './load-texts.ts';
import type { Report } from './report.ts';

const CHOICE_TYPES = new Set(['select', 'multiselect']);
// Slack ids, as the API needs them: users U…/W… (Enterprise Grid), user groups S….
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const USERGROUP_ID = /^S[A-Z0-9]{2,}$/;

export function checkIncidentType(t: Located<IncidentType>, report: Report): void {
  const seen = new Set<string>();
  t.manifest.fields.forEach((f, i) => {
    if (seen.has(f.name))
      report(t.doc, ['fields', i, 'name'], `duplicate field "${f.name}" in incident type ${t.manifest.id}`);
    seen.add(f.name);
    if (CHOICE_TYPES.has(f.type) && (f.options ?? []).length === 0) {
      report(t.doc, ['fields', i], `a ${f.type} field needs options, e.g. options: [us-east-1, eu-west-1]`);
    }
    if (!CHOICE_TYPES.has(f.type) && f.options !== undefined) {
      report(
        t.doc,
        ['fields', i, 'options'],
        `options only apply to select and multiselect fields, not ${f.type}`,
      );
    }
  });
}

export function checkPolicy(p: Located<AccessPolicy>, report: Report): void {
  for (const [name, role] of Object.entries(p.manifest.roles)) {
    role.users.forEach((u, i) => {
      if (!USER_ID.test(u)) {
        report(
          p.doc,
          ['roles', name, 'users', i],
          `"${u}" is not a Slack user id (like U012ABCDEF; copy it from the profile's "Copy member ID")`,
        );
      }
    });
    role.usergroups.forEach((g, i) => {
      if (!USERGROUP_ID.test(g)) {
        report(
          p.doc,
          ['roles', name, 'usergroups', i],
          `"${g}" is not a Slack user group id (like S0PAGERS)`,
        );
      }
    });
    // An empty role lets nobody in, which is never meant; `commanders` always includes the incident's commander.
    if (name !== 'commanders' && !role.everyone && role.users.length === 0 && role.usergroups.length === 0) {
      report(
        p.doc,
        ['roles', name],
        `role "${name}" has no members: add users, usergroups or everyone: true`,
      );
    }
  }
}
