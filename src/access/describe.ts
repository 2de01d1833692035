/**
 * The "who may do this" sentence shown with a refusal, e.g.
 * "commanders (the incident commander <@U1>, <@U2>) or sre-leads (<!subteam^S1>)". Pure.
 * People and groups are Slack mentions so the refused user sees whom to ask.
 */
import type { Incident } from '../domain/types.ts';

export interface RoleView {
  name: string;
  /** everyone-default: no AccessPolicy, so the role means everyone. undefined: not in the policy. */
  kind: 'role' | 'everyone' | 'everyone-default' | 'undefined';
  users?: string[];
  usergroups?: string[];
}

/** Long member lists would swamp an ephemeral message; the first few say enough. */
const MAX_LISTED = 10;

const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function capped(items: string[]): string[] {
  if (items.length <= MAX_LISTED) return items;
  return [...items.slice(0, MAX_LISTED), `+${items.length - MAX_LISTED} more`];
}

function commanderPart(incident: Incident | null): string {
  if (!incident) return 'the incident commander';
  return incident.commander
    ? `the incident commander <@${incident.commander}>`
    : `the incident commander (${incident.id} has none yet)`;
}

function describeRole(r: RoleView, incident: Incident | null, failed: Map<string, string>): string {
  switch (r.kind) {
    case 'everyone':
      return `${r.name} (everyone)`;
    case 'everyone-default':
      return `${r.name} (everyone: there is no AccessPolicy)`;
    case 'undefined':
      return `${r.name} (not defined in the AccessPolicy, so nobody)`;
    case 'role': {
      const parts: string[] = [];
      if (r.name === 'commanders') parts.push(commanderPart(incident));
      const users = (r.users ?? []).map((u) => `<@${u}>`);
      const groups = (r.usergroups ?? []).map((g) => {
        const err = failed.get(g);
        return err ? `<!subteam^${g}> (could not check its members: ${escape(err)})` : `<!subteam^${g}>`;
      });
      parts.push(...capped([...users, ...groups]));
      return `${r.name} (${parts.length ? parts.join(', ') : 'nobody'})`;
    }
  }
}

export function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

export function describeRoles(
  roles: RoleView[],
  incident: Incident | null,
  failed: Map<string, string>,
): string {
  if (roles.length === 0) return 'nobody (no roles are allowed)';
  return joinOr(roles.map((r) => describeRole(r, incident, failed)));
}
